/// Everything an agent needs to know at start, from its command line.
public struct AgentConfiguration: Sendable {
    /// The address the agent and its mariadbd listen on (the VM's IP).
    public var address: String
    /// The agent's JSON-RPC port (ConPaaS uses 60000).
    public var port: Int
    /// mariadbd's port on `address`.
    public var mysqlPort: Int
    /// The agent's directory: data, configuration, logs, credentials.
    public var dataDirectory: String
    /// The service secret every caller must present.
    public var secret: String
    /// The manager to report to with `register_node`, if any.
    public var managerURL: String?
    /// The node id the manager knows this agent by (reported in `register_node`).
    public var nodeID: String?
    /// mariadbd's `server_id`; derived from `address` when not given.
    public var serverID: UInt32?
    /// Use the small-footprint mariadbd options (local cloud, tests).
    public var small: Bool
    /// Largest `send_mysqldump` upload accepted.
    public var maxUploadBytes: Int64
    /// Seconds between two `register_node` calls.
    public var registerInterval: Duration
    /// A data directory `mariadb-install-db` prepared, copied at first start instead of running it.
    public var dataDirectoryTemplate: String?
    /// A restore's new master: while it has no data directory, start no mariadbd and
    /// report `AWAITING_RESTORE` until `restore_backup` installs one.
    public var awaitRestore: Bool

    public init(
        address: String, port: Int = 60000, mysqlPort: Int = 3306, dataDirectory: String, secret: String,
        managerURL: String? = nil, nodeID: String? = nil, serverID: UInt32? = nil, small: Bool = false,
        maxUploadBytes: Int64 = 1 << 30, registerInterval: Duration = .seconds(5), dataDirectoryTemplate: String? = nil,
        awaitRestore: Bool = false
    ) {
        self.dataDirectoryTemplate = dataDirectoryTemplate
        self.awaitRestore = awaitRestore
        self.address = address
        self.port = port
        self.mysqlPort = mysqlPort
        self.dataDirectory = dataDirectory
        self.secret = secret
        self.managerURL = managerURL
        self.nodeID = nodeID
        self.serverID = serverID
        self.small = small
        self.maxUploadBytes = maxUploadBytes
        self.registerInterval = registerInterval
    }

    /// `server_id` from the low 24 bits of an IPv4 address (unique inside a /8), or 1.
    static func derivedServerID(from address: String) -> UInt32 {
        let octets = address.split(separator: ".").compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return 1 }
        let id = (octets[1] << 16) | (octets[2] << 8) | octets[3]
        return id == 0 ? 1 : id
    }

    /// The `server_id` this agent's mariadbd uses.
    var effectiveServerID: UInt32 { serverID ?? Self.derivedServerID(from: address) }
}
