extension JSONValue: CustomStringConvertible {
    /// Compact JSON text with object keys sorted; non-finite doubles are written as `null`.
    public var description: String {
        var text = ""
        write(to: &text)
        return text
    }

    /// Parses JSON text (RFC 8259). Integers that fit in `Int` become `.int`, other numbers `.double`.
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONValue(parsing: Array(text.utf8))
    }

    /// Parses JSON from UTF-8 bytes (RFC 8259).
    public init(parsing utf8: [UInt8]) throws(JSONParseError) {
        var parser = JSONParser(utf8)
        self = try parser.parseDocument()
    }

    private func write(to text: inout String) {
        switch self {
        case .null:
            text += "null"
        case .bool(let value):
            text += value ? "true" : "false"
        case .int(let value):
            text += String(value)
        case .double(let value):
            text += value.isFinite ? value.description : "null"
        case .string(let value):
            Self.writeString(value, to: &text)
        case .array(let elements):
            text += "["
            for (position, element) in elements.enumerated() {
                if position > 0 { text += "," }
                element.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { text += "," }
                Self.writeString(key, to: &text)
                text += ":"
                members[key]!.write(to: &text)
            }
            text += "}"
        }
    }

    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
