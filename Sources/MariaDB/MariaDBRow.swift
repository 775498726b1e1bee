/// One row of a result set, as text (MariaDB's text protocol).
public struct MariaDBRow: Sendable, Hashable {
    /// Column names, in order.
    public let columns: [String]
    /// Values in column order; `nil` is SQL `NULL`.
    public let values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The value of the column named `name` (`nil` when NULL or absent).
    public subscript(name: String) -> String? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    /// The value of the column named `name` as an integer, if it is one.
    public func int(_ name: String) -> Int? {
        self[name].flatMap { Int($0) }
    }
}
