/// Where and as whom to connect.
public struct MariaDBConfiguration: Sendable {
    /// How to reach the server.
    public enum Endpoint: Sendable, Hashable {
        /// TCP, `host` being an address or name.
        case tcp(host: String, port: Int)
        /// A Unix socket path on this machine.
        case unixSocket(path: String)
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String
    /// Default schema, if any.
    public var database: String?
    /// Seconds to wait for the connection (and for each read and write).
    public var timeoutSeconds: UInt32

    public init(endpoint: Endpoint, user: String, password: String, database: String? = nil, timeoutSeconds: UInt32 = 10) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.timeoutSeconds = timeoutSeconds
    }
}
