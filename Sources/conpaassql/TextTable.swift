import JSONRPC

/// Rows of text laid out in aligned columns under a header.
struct TextTable {
    let headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) {
        self.headers = headers
    }

    mutating func add(_ cells: String...) {
        rows.append(cells)
    }

    /// The table as lines, columns separated by two spaces; "(none)" under the header when empty.
    var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        let lines = all.map { cells in
            cells.enumerated().map { column, cell in
                column == cells.count - 1 ? cell : cell.padded(to: widths[column])
            }.joined(separator: "  ")
        }
        return (lines + (rows.isEmpty ? ["(none)"] : [])).joined(separator: "\n")
    }
}

/// Label-value lines with the values aligned.
func keyValueLines(_ pairs: [(String, String)]) -> String {
    let width = pairs.map(\.0.count).max() ?? 0
    return pairs.map { $0.0.padded(to: width) + "  " + $0.1 }.joined(separator: "\n")
}

extension JSONValue {
    /// The value as a table cell: strings bare, null as "-", anything else as JSON.
    var cell: String {
        switch self {
        case .string(let text): return text.isEmpty ? "-" : text
        case .null: return "-"
        default: return description
        }
    }
}

extension String {
    /// The text followed by spaces up to `width` characters.
    func padded(to width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
