/// A validated SQL identifier (database, table, column or system-variable name).
///
/// Only letters, digits, `_` and `$`, 1 to 64 characters, and not only digits: names
/// outside that set are refused rather than quoted, so hostile input never
/// reaches the server as an identifier.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as given.
    public let name: String

    /// Validates `name`, throwing ``MariaDBError/Code/invalidIdentifier`` when it is not acceptable.
    public init(_ name: String) throws {
        guard Self.isValid(name) else {
            throw MariaDBError(.invalidIdentifier, message: "'\(name.prefix(80))' is not a valid identifier (use 1-64 letters, digits, _ or $)")
        }
        self.name = name
    }

    /// Whether `name` would be accepted by ``init(_:)``.
    public static func isValid(_ name: String) -> Bool {
        guard (1...64).contains(name.unicodeScalars.count) else { return false }
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "$")
        }
        return allowed && !name.allSatisfy(\.isNumber)
    }

    /// The back-quoted form, ready to splice into a statement.
    public var quoted: String { "`\(name)`" }

    public var description: String { quoted }
}
