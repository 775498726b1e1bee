/// Everything a manager needs to know at start.
public struct ManagerConfiguration: Sendable {
    /// The address the manager listens on.
    public var address: String
    /// The JSON-RPC port (ConPaaS uses 50000); must be a real port: VMs are told it.
    public var port: Int
    /// The address agents reach the manager at (default: `address`).
    public var advertisedAddress: String
    /// Where the manager keeps its SQLite database and the service secret.
    public var stateDirectory: String
    /// The token users must present; nil lets every caller in (loopback only).
    public var token: String?
    /// The most nodes the service may have at once.
    public var maxNodes: Int
    /// The agents' port.
    public var agentPort: Int
    /// Variables every agent VM gets besides the manager's own (local cloud: `AGENT_SMALL`, `CONPAASSQL_BIN`).
    public var extraContext: [String: String]
    public var policy: ProvisioningPolicy
    /// Failover, switchover and healing.
    public var failover: FailoverPolicy
    /// The writer and reader endpoints (HAProxy); nil for none.
    public var endpoints: EndpointOptions?
    /// Backups, the binlog archive and their remote copy.
    public var backups: BackupOptions

    public init(
        address: String, port: Int = 50000, advertisedAddress: String? = nil, stateDirectory: String, token: String? = nil,
        maxNodes: Int = 20, agentPort: Int = 60000, extraContext: [String: String] = [:], policy: ProvisioningPolicy = ProvisioningPolicy(),
        failover: FailoverPolicy = FailoverPolicy(), endpoints: EndpointOptions? = nil, backups: BackupOptions? = nil
    ) {
        self.backups = backups ?? BackupOptions(directory: "\(stateDirectory)/backups")
        self.address = address
        self.port = port
        self.advertisedAddress = advertisedAddress ?? address
        self.stateDirectory = stateDirectory
        self.token = token
        self.maxNodes = maxNodes
        self.agentPort = agentPort
        self.extraContext = extraContext
        self.policy = policy
        self.failover = failover
        self.endpoints = endpoints
    }

    /// Whether `address` is a loopback address (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ address: String) -> Bool {
        address.hasPrefix("127.") || address == "::1" || address == "localhost"
    }
}
