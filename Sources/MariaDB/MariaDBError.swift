/// An error from the MariaDB client library or from this wrapper.
///
/// `code` says what failed; `serverErrorNumber` carries the server's error number
/// (for example 1045 for access denied, 1396 for a failed `CREATE USER`) when there is one.
public struct MariaDBError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case connectionFailed = "connection failed"
            case queryFailed = "query failed"
            case invalidIdentifier = "invalid identifier"
            case connectionClosed = "connection closed"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the login.
        public static let connectionFailed = Code(.connectionFailed)
        /// The server rejected a statement.
        public static let queryFailed = Code(.queryFailed)
        /// A name was not acceptable as an SQL identifier.
        public static let invalidIdentifier = Code(.invalidIdentifier)
        /// The connection was used after `close()`.
        public static let connectionClosed = Code(.connectionClosed)

        public var description: String { base.rawValue }
    }

    /// What failed.
    public let code: Code
    /// The server's (or client library's) error number, such as 1045 or 2002.
    public let serverErrorNumber: UInt32?
    /// The five-character SQLSTATE, when the library gave one.
    public let sqlState: String?
    /// The library's message, or this wrapper's explanation.
    public let message: String

    init(_ code: Code, number: UInt32? = nil, sqlState: String? = nil, message: String) {
        self.code = code
        self.serverErrorNumber = number
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        if let number = serverErrorNumber {
            return "MariaDB \(code) (\(number)): \(message)"
        }
        return "MariaDB \(code): \(message)"
    }
}
