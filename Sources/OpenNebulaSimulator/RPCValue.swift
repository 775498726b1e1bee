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
        case .base64(let text): "<value><base64>\(text)</base64></value>"
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
