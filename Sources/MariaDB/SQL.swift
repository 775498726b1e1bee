/// An SQL statement whose values are escaped by construction.
///
/// Interpolations must say what they are: `\(literal: someString)` becomes a
/// quoted string escaped with `mysql_real_escape_string` on the connection that
/// runs it, `\(literal: someInt)` a number, `\(someIdentifier)` a back-quoted
/// ``SQLIdentifier``. A bare `\(someString)` does not compile.
///
/// ```swift
/// try await connection.execute("CREATE USER IF NOT EXISTS \(literal: name)@\(literal: host) IDENTIFIED BY \(literal: password)")
/// ```
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    enum Fragment: Sendable, Equatable {
        case text(String)
        case literal(String)
        case identifier(SQLIdentifier)
    }

    private(set) var fragments: [Fragment]

    public init(stringLiteral value: String) {
        fragments = [.text(value)]
    }

    public init(stringInterpolation: StringInterpolation) {
        fragments = stringInterpolation.fragments
    }

    /// Builds the statement text, quoting each literal with `escape`.
    func render(escape: (String) -> String) -> String {
        fragments.map { fragment in
            switch fragment {
            case .text(let text): text
            case .literal(let value): "'\(escape(value))'"
            case .identifier(let identifier): identifier.quoted
            }
        }.joined()
    }

    /// The statement with every literal replaced by `'?'`: safe to log.
    public var description: String {
        render { _ in "?" }
    }

    /// Collects the fragments of an interpolated statement.
    public struct StringInterpolation: StringInterpolationProtocol {
        var fragments: [Fragment] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) {
            fragments.append(.text(literal))
        }

        /// A string value, quoted and escaped.
        public mutating func appendInterpolation(literal value: String) {
            fragments.append(.literal(value))
        }

        /// An integer value.
        public mutating func appendInterpolation(literal value: some BinaryInteger) {
            fragments.append(.text(String(value)))
        }

        /// Another statement's fragments, spliced in with their escaping intact.
        public mutating func appendInterpolation(_ sql: SQL) {
            fragments.append(contentsOf: sql.fragments)
        }

        /// A validated identifier, back-quoted.
        public mutating func appendInterpolation(_ identifier: SQLIdentifier) {
            fragments.append(.identifier(identifier))
        }
    }
}
