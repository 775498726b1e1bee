/// A header value such as `multipart/form-data; boundary=xyz` or
/// `form-data; name="file"; filename="dump.sql"`, split into its main value
/// and its parameters.
struct HeaderValue: Sendable, Equatable {
    /// The part before the first `;`, trimmed and lowercased.
    let value: String
    /// The parameters by lowercased name; quoted values are unquoted.
    let parameters: [String: String]

    init(_ text: String) {
        let pieces = Self.splitOutsideQuotes(text)
        value = (pieces.first ?? "").trimmingWhitespace().lowercased()
        var parameters: [String: String] = [:]
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingWhitespace().lowercased()
            let rawValue = piece[piece.index(after: equals)...].trimmingWhitespace()
            if !name.isEmpty, parameters[name] == nil {
                parameters[name] = Self.unquoted(rawValue)
            }
        }
        self.parameters = parameters
    }

    /// Splits on `;` except inside double quotes.
    private static func splitOutsideQuotes(_ text: String) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var inQuotes = false
        var escaped = false
        for index in text.indices {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" && inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
            } else if character == ";" && !inQuotes {
                pieces.append(text[start..<index])
                start = text.index(after: index)
            }
        }
        pieces.append(text[start...])
        return pieces
    }

    /// Removes surrounding double quotes and backslash escapes.
    private static func unquoted(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if !escaped && character == "\\" {
                escaped = true
            } else {
                result.append(character)
                escaped = false
            }
        }
        return result
    }
}
