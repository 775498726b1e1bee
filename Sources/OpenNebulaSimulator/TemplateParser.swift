/// One attribute of a template: `NAME = value` or `NAME = [ K = v, ... ]`.
enum TemplateAttribute: Sendable, Hashable, Codable {
    case single(name: String, value: String)
    /// OpenNebula keeps a vector's pairs in a map: one value per key, keys sorted.
    case vector(name: String, values: [String: String])

    var name: String {
        switch self {
        case .single(let name, _), .vector(let name, _): name
        }
    }
}

/// A template OpenNebula's parser rejects; `detail` is nil when the parser
/// aborted without a message (a value holding `]]>`).
struct TemplateParseError: Error, Sendable, Equatable {
    let detail: String?

    /// The message after the method prefix: `Parse error: ...`.
    var message: String {
        detail.map { "Parse error: \($0)" } ?? "Parse error."
    }
}

/// OpenNebula's template grammar (`template_syntax.y`), with its error messages.
enum TemplateParser {
    /// The attributes of `text`, in order; names are upper-cased.
    static func parse(_ text: String) throws(TemplateParseError) -> [TemplateAttribute] {
        if text.hasPrefix("<") { return try XMLTemplateReader.parse(text) }
        var lexer = TemplateLexer(text)
        var attributes: [TemplateAttribute] = []
        var token = lexer.next()
        while token.kind != .end {
            guard token.kind == .variable else { throw unexpected(token, expecting: "VARIABLE") }
            let name = token.text.uppercased()
            token = lexer.next()
            switch token.kind {
            case .equalEmpty:
                attributes.append(.single(name: name, value: ""))
            case .equal:
                token = lexer.next()
                switch token.kind {
                case .string: attributes.append(.single(name: name, value: unescape(token.text)))
                case .openBracket: attributes.append(.vector(name: name, values: try vectorValues(&lexer)))
                case .cdata: throw TemplateParseError(detail: nil)
                default: throw unexpected(token, expecting: "STRING or OBRACKET")
                }
            default:
                throw unexpected(token, expecting: "EQUAL or EQUAL_EMPTY")
            }
            token = lexer.next()
        }
        return attributes
    }

    /// `K = v, ... ]` after `[`; the first value of a repeated key is kept.
    private static func vectorValues(_ lexer: inout TemplateLexer) throws(TemplateParseError) -> [String: String] {
        var values: [String: String] = [:]
        var token = lexer.next()
        if token.kind == .closeBracket { return values }
        while true {
            guard token.kind == .variable else { throw unexpected(token, expecting: values.isEmpty ? "CBRACKET or VARIABLE" : "VARIABLE") }
            let key = token.text.uppercased()
            token = lexer.next()
            guard token.kind == .equal else { throw unexpected(token, expecting: "EQUAL") }
            token = lexer.next()
            guard token.kind == .string else { throw unexpected(token, expecting: "STRING") }
            if values[key] == nil { values[key] = unescape(token.text) }
            token = lexer.next()
            switch token.kind {
            case .closeBracket: return values
            case .comma: token = lexer.next()
            default: throw unexpected(token, expecting: "COMMA or CBRACKET")
            }
        }
    }

    /// OpenNebula's `unescape`: every `\"` becomes `"`, searching again from
    /// the replacement (backslashes are otherwise kept).
    static func unescape(_ value: String) -> String {
        var scalars = Array(value.unicodeScalars)
        var index = 0
        while index + 1 < scalars.count {
            if scalars[index] == "\\", scalars[index + 1] == "\"" {
                scalars.replaceSubrange(index...index + 1, with: ["\""])
            } else {
                index += 1
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func unexpected(_ token: TemplateToken, expecting: String) -> TemplateParseError {
        TemplateParseError(detail: "syntax error, unexpected \(token.kind.rawValue), expecting \(expecting) "
            + "at line \(token.line), columns \(token.firstColumn):\(token.lastColumn)")
    }
}

/// Templates sent as XML (`<TEMPLATE><NAME>x</NAME><NIC><NETWORK_ID>0</NETWORK_ID></NIC></TEMPLATE>`),
/// which OpenNebula accepts wherever a template string is expected and which
/// pyone sends for dictionaries.
enum XMLTemplateReader {
    static func parse(_ text: String) throws(TemplateParseError) -> [TemplateAttribute] {
        let root: XMLTree
        do {
            root = try XMLTree.parse(Array(text.utf8))
        } catch {
            throw TemplateParseError(detail: "XML Template malformed.")
        }
        return root.children.map { element in
            if element.children.isEmpty {
                return .single(name: element.name.uppercased(), value: element.text)
            }
            var values: [String: String] = [:]
            for pair in element.children where values[pair.name.uppercased()] == nil {
                values[pair.name.uppercased()] = pair.text
            }
            return .vector(name: element.name.uppercased(), values: values)
        }
    }
}
