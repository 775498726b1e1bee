import Foundation

/// An XML-RPC value as the simulator reads it from a call or writes it in an answer.
enum RPCValue: Sendable {
    case int(Int)
    /// An `<i8>` (OpenNebula 5.10+ appends one to error answers).
    case int64(Int)
    case bool(Bool)
    case double(Double)
    case string(String)
    case array([RPCValue])
    case structure([(name: String, value: RPCValue)])
    case base64(String)
    case dateTime(String)
    case `nil`

    /// The `<value>` element.
    var xml: String {
        switch self {
        case .int(let number): "<value><i4>\(number)</i4></value>"
        case .int64(let number): "<value><i8>\(number)</i8></value>"
        case .bool(let flag): "<value><boolean>\(flag ? 1 : 0)</boolean></value>"
        case .double(let number): "<value><double>\(number)</double></value>"
        case .string(let text): "<value><string>\(XMLText.escaped(text))</string></value>"
        case .base64(let text): "<value><base64>\(XMLText.escaped(text))</base64></value>"
        case .dateTime(let text): "<value><dateTime.iso8601>\(XMLText.escaped(text))</dateTime.iso8601></value>"
        case .nil: "<value><nil/></value>"
        case .array(let elements):
            "<value><array><data>\n" + elements.map { $0.xml + "\n" }.joined() + "</data></array></value>"
        case .structure(let members):
            "<value><struct>\n"
                + members.map { "<member><name>\(XMLText.escaped($0.name))</name>\n\($0.value.xml)</member>\n" }.joined()
                + "</struct></value>"
        }
    }

    /// The type name xmlrpc-c's C++ parameter accessors use in their faults.
    var typeName: String {
        switch self {
        case .int, .int64: "integer"
        case .bool: "boolean"
        case .double: "floating point number"
        case .string: "string"
        case .array: "array"
        case .structure: "struct"
        case .base64: "base64"
        case .dateTime: "datetime"
        case .nil: "nil"
        }
    }
}

/// Text escaping for element content.
enum XMLText {
    /// `text` with `&`, `<`, `>` and carriage returns escaped.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\r": result += "&#13;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// `text` as CDATA, the way OpenNebula writes template values (a `]]>`
    /// inside is split across two sections).
    static func cdata(_ text: String) -> String {
        "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }
}

/// An XML-RPC fault as xmlrpc-c's server layer sends it (not an OpenNebula answer array).
struct XMLRPCFault: Error, Sendable, Equatable {
    let code: Int
    let message: String

    /// -506: the method is not registered.
    static func unknownMethod(_ name: String) -> XMLRPCFault {
        XMLRPCFault(code: -506, message: "Method '\(name)' not defined")
    }

    /// -501: fewer parameters than the method reads.
    static let notEnoughParameters = XMLRPCFault(code: -501, message: "Not enough parameters")

    /// -501: a parameter of the wrong type (`integer`, `boolean`, `string`).
    static func wrongType(expected: String) -> XMLRPCFault {
        XMLRPCFault(code: -501, message: "Parameter that is supposed to be \(expected) is not")
    }

    /// -503: the body is not an XML-RPC call.
    static func unparseable(_ detail: String) -> XMLRPCFault {
        XMLRPCFault(code: -503, message: "Call XML not a proper XML-RPC call.  \(detail)")
    }
}

/// The `<methodResponse>` documents the simulator sends.
enum MethodResponse {
    /// A successful response holding `value`.
    static func success(_ value: RPCValue) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <methodResponse>
        <params>
        <param>\(value.xml)</param>
        </params>
        </methodResponse>

        """
    }

    /// A fault response.
    static func fault(_ fault: XMLRPCFault) -> String {
        let members = RPCValue.structure([("faultCode", .int(fault.code)), ("faultString", .string(fault.message))])
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <methodResponse>
            <fault>
            \(members.xml)
            </fault>
            </methodResponse>

            """
    }
}
