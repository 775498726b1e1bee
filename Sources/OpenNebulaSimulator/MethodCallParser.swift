import ConPaaSCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed `<methodCall>`.
struct MethodCall: Sendable {
    let name: String
    let params: [RPCValue]
}

/// Why a request body is not an XML-RPC call (answered with fault -503).
struct CallParseError: Error, Sendable {
    let detail: String
}

/// Reads `<methodCall>` documents the way xmlrpc-c's server does.
enum MethodCallParser {
    /// Deepest nesting of arrays and structs accepted (xmlrpc-c's default limit).
    static let nestingLimit = 64

    static func parse(_ body: [UInt8]) throws(CallParseError) -> MethodCall {
        let root = try XMLTree.parse(body)
        guard root.name == "methodCall" else {
            throw CallParseError(detail: "XML-RPC call should be a <methodCall> element.  Instead, it is a <\(root.name)> element.")
        }
        guard let nameElement = root.children.first(where: { $0.name == "methodName" }) else {
            throw CallParseError(detail: "<methodCall> has no <methodName> child.")
        }
        let name = nameElement.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw CallParseError(detail: "<methodName> is empty.") }
        var params: [RPCValue] = []
        if let paramsElement = root.children.first(where: { $0.name == "params" }) {
            for param in paramsElement.children {
                guard param.name == "param", param.children.count == 1, let value = param.children.first else {
                    throw CallParseError(detail: "<params> must hold <param> elements with one <value> each.")
                }
                params.append(try self.value(value, depth: 0))
            }
        }
        return MethodCall(name: name, params: params)
    }

    private static func value(_ element: XMLTree, depth: Int) throws(CallParseError) -> RPCValue {
        guard element.name == "value" else {
            throw CallParseError(detail: "Expected a <value> element, got <\(element.name)>.")
        }
        guard depth < nestingLimit else { throw CallParseError(detail: "Nesting too deep.") }
        guard let typed = element.children.first else { return .string(element.text) }
        guard element.children.count == 1 else { throw CallParseError(detail: "<value> has more than one child.") }
        let text = typed.text
        switch typed.name {
        case "i4", "int":
            guard let number = Int32(text.trimmingCharacters(in: .whitespaces)) else { throw invalid("integer", text) }
            return .int(Int(number))
        case "i8", "ex:i8":
            guard let number = Int64(text.trimmingCharacters(in: .whitespaces)) else { throw invalid("64-bit integer", text) }
            return .int64(Int(number))
        case "boolean":
            switch text.trimmingCharacters(in: .whitespaces) {
            case "0": return .bool(false)
            case "1": return .bool(true)
            default: throw invalid("boolean", text)
            }
        case "double":
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else { throw invalid("double", text) }
            return .double(number)
        case "string": return .string(text)
        case "base64": return .base64(text)
        case "dateTime.iso8601": return .dateTime(text)
        case "nil", "ex:nil": return .nil
        case "array":
            guard let data = typed.children.first, data.name == "data", typed.children.count == 1 else {
                throw CallParseError(detail: "<array> must hold one <data> element.")
            }
            var elements: [RPCValue] = []
            for child in data.children { elements.append(try value(child, depth: depth + 1)) }
            return .array(elements)
        case "struct":
            var members: [(name: String, value: RPCValue)] = []
            for member in typed.children {
                guard member.name == "member", let name = member.children.first(where: { $0.name == "name" }),
                      let memberValue = member.children.first(where: { $0.name == "value" }) else {
                    throw CallParseError(detail: "<struct> members need a <name> and a <value>.")
                }
                members.append((name.text, try value(memberValue, depth: depth + 1)))
            }
            return .structure(members)
        default:
            throw CallParseError(detail: "Unknown value type -- XML element is named <\(typed.name)>.")
        }
    }

    private static func invalid(_ type: String, _ text: String) -> CallParseError {
        CallParseError(detail: "\"\(text)\" is not a valid \(type).")
    }
}

/// A minimal element tree: name, child elements and the text of leaf elements.
final class XMLTree {
    let name: String
    var children: [XMLTree] = []
    var text = ""

    init(name: String) {
        self.name = name
    }

    /// The document element of `bytes`; what would crash XMLParser is refused first.
    static func parse(_ bytes: [UInt8]) throws(CallParseError) -> XMLTree {
        if let hazard = XMLParserHazard.reason(bytes) {
            throw CallParseError(detail: "Call is not valid XML.  Refused because \(hazard).")
        }
        let builder = XMLTreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), builder.isComplete, let root = builder.root else {
            throw CallParseError(detail: "Call is not valid XML.  XML parsing failed at line \(parser.lineNumber).")
        }
        return root
    }
}

private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    /// Deepest element nesting read: room for ``MethodCallParser/nestingLimit`` values
    /// (three elements each) inside a call. FoundationXML sets no limit, and a tree
    /// nested 100 000 deep overflows the stack when it is freed.
    static let maximumDepth = 3 * MethodCallParser.nestingLimit + 16

    var root: XMLTree?
    private var stack: [XMLTree] = []
    private var tooDeep = false

    /// Whether a document element was read and closed (FoundationXML does
    /// not report a document that ends early).
    var isComplete: Bool { root != nil && stack.isEmpty && !tooDeep }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        guard !tooDeep else { return }
        guard stack.count < Self.maximumDepth else {
            tooDeep = true
            parser.abortParsing()
            return
        }
        let element = XMLTree(name: name)
        if let parent = stack.last { parent.children.append(element) } else { root = element }
        stack.append(element)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        stack.last?.text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard !tooDeep else { return }
        stack.removeLast()
    }
}
