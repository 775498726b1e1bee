/// What an agent reports about itself: `get_server_state`'s `return` and
/// `register_node`'s `state`. The agent writes it and the manager reads it, so
/// both sides share this one type; the wire stays the JSON of PROTOCOL.md.
public struct AgentStatus: Sendable, Hashable, Codable {
    /// The manager's node id (or the address, for an agent started by hand).
    public var id: String
    public var name: String = "conpaas-mysql-agent"
    /// `INIT`, `STARTING`, `RUNNING`, `STOPPING`, `STOPPED` (an init script that fails reports `FAILED`).
    public var state: String
    public var ip: String
    public var port: Int
    public var mysqldPort: Int
    public var role: NodeRole
    public var serverID: Int
    /// mariadbd crashes the supervisor restarted.
    public var restarts: Int = 0
    public var lastExit: String?
    public var pid: Int?
    /// A fatal problem (init scripts report one with state `FAILED`).
    public var error: String?
    /// The highest epoch this node has been told of (0: never part of a failover-managed service).
    public var epoch: Int = 0
    /// `@@read_only`; nil when mariadbd could not be asked.
    public var readOnly: Bool?
    /// `@@gtid_current_pos`, `@@gtid_binlog_pos` and `@@gtid_slave_pos`.
    public var gtidCurrentPos: String?
    public var gtidBinlogPos: String?
    public var gtidSlavePos: String?
    public var semiSync: SemiSync?
    public var replication: Replication?
    public var performance: Performance?
    /// Why part of the status could not be read.
    public var statusError: String?

    public init(id: String, state: String, ip: String, port: Int, mysqldPort: Int, role: NodeRole, serverID: Int) {
        self.id = id
        self.state = state
        self.ip = ip
        self.port = port
        self.mysqldPort = mysqldPort
        self.role = role
        self.serverID = serverID
    }

    /// Semi-synchronous replication as the server reports it.
    public struct SemiSync: Sendable, Hashable, Codable {
        /// `rpl_semi_sync_master_enabled`: this master waits for a replica's acknowledgement.
        public var masterEnabled: Bool
        /// `Rpl_semi_sync_master_status`: it really does (false: fell back to asynchronous).
        public var masterActive: Bool
        /// `Rpl_semi_sync_master_clients`: replicas acknowledging.
        public var masterClients: Int
        /// `Rpl_semi_sync_slave_status`: this replica acknowledges.
        public var slaveActive: Bool

        public init(masterEnabled: Bool, masterActive: Bool, masterClients: Int, slaveActive: Bool) {
            self.masterEnabled = masterEnabled
            self.masterActive = masterActive
            self.masterClients = masterClients
            self.slaveActive = slaveActive
        }

        private enum CodingKeys: String, CodingKey {
            case masterEnabled = "master_enabled", masterActive = "master_active", masterClients = "master_clients"
            case slaveActive = "slave_active"
        }
    }

    /// A replica's threads (`SHOW SLAVE STATUS`).
    public struct Replication: Sendable, Hashable, Codable {
        public var masterHost: String
        /// `Yes`, `No` or `Connecting`.
        public var ioRunning: String
        public var sqlRunning: String
        public var secondsBehindMaster: Int?
        public var lastIOError: String
        public var lastSQLError: String
        public var usingGTID: String
        /// `Gtid_IO_Pos`: the newest transaction received (maybe not applied yet).
        public var gtidIOPos: String

        public init(
            masterHost: String, ioRunning: String, sqlRunning: String, secondsBehindMaster: Int?, lastIOError: String,
            lastSQLError: String, usingGTID: String, gtidIOPos: String
        ) {
            self.masterHost = masterHost
            self.ioRunning = ioRunning
            self.sqlRunning = sqlRunning
            self.secondsBehindMaster = secondsBehindMaster
            self.lastIOError = lastIOError
            self.lastSQLError = lastSQLError
            self.usingGTID = usingGTID
            self.gtidIOPos = gtidIOPos
        }

        /// Both threads run.
        public var isReplicating: Bool { ioRunning == "Yes" && sqlRunning == "Yes" }

        private enum CodingKeys: String, CodingKey {
            case masterHost = "master_host", ioRunning = "io_running", sqlRunning = "sql_running"
            case secondsBehindMaster = "seconds_behind_master", lastIOError = "last_io_error", lastSQLError = "last_sql_error"
            case usingGTID = "using_gtid", gtidIOPos = "gtid_io_pos"
        }
    }

    /// Figures the agent samples each second, and a replica's lag measured when its status is asked.
    public struct Performance: Sendable, Hashable, Codable {
        public var queriesPerSecond: Double?
        public var errorsPerSecond: Double?
        public var connections: Int?
        public var responseTimeMs: Double?
        /// Seconds since the newest master heartbeat this replica applied (nil on a
        /// master, and on a replica that cannot tell: no beat applied yet, or no answer from its MariaDB).
        public var heartbeatLagSeconds: Double?

        public init(
            queriesPerSecond: Double?, errorsPerSecond: Double?, connections: Int?, responseTimeMs: Double?, heartbeatLagSeconds: Double?
        ) {
            self.queriesPerSecond = queriesPerSecond
            self.errorsPerSecond = errorsPerSecond
            self.connections = connections
            self.responseTimeMs = responseTimeMs
            self.heartbeatLagSeconds = heartbeatLagSeconds
        }

        private enum CodingKeys: String, CodingKey {
            case queriesPerSecond = "queries_per_second", errorsPerSecond = "errors_per_second", connections
            case responseTimeMs = "response_time_ms", heartbeatLagSeconds = "heartbeat_lag_seconds"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case id, name, state, ip, port, role, restarts, pid, error, epoch, replication, performance
        case mysqldPort = "mysqld_port", serverID = "server_id", lastExit = "last_exit", readOnly = "read_only"
        case gtidCurrentPos = "gtid_current_pos", gtidBinlogPos = "gtid_binlog_pos", gtidSlavePos = "gtid_slave_pos"
        case semiSync = "semi_sync", statusError = "status_error"
    }

    /// Absent values are left out, but for `pid` and `last_exit`, which agents always sent (as null when unknown).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encode(ip, forKey: .ip)
        try container.encode(port, forKey: .port)
        try container.encode(mysqldPort, forKey: .mysqldPort)
        try container.encode(role, forKey: .role)
        try container.encode(serverID, forKey: .serverID)
        try container.encode(restarts, forKey: .restarts)
        try container.encode(lastExit, forKey: .lastExit)
        try container.encode(pid, forKey: .pid)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encode(epoch, forKey: .epoch)
        try container.encodeIfPresent(readOnly, forKey: .readOnly)
        try container.encodeIfPresent(gtidCurrentPos, forKey: .gtidCurrentPos)
        try container.encodeIfPresent(gtidBinlogPos, forKey: .gtidBinlogPos)
        try container.encodeIfPresent(gtidSlavePos, forKey: .gtidSlavePos)
        try container.encodeIfPresent(semiSync, forKey: .semiSync)
        try container.encodeIfPresent(replication, forKey: .replication)
        try container.encodeIfPresent(performance, forKey: .performance)
        try container.encodeIfPresent(statusError, forKey: .statusError)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? "conpaas-mysql-agent"
        state = try container.decode(String.self, forKey: .state)
        ip = try container.decodeIfPresent(String.self, forKey: .ip) ?? ""
        port = try container.decodeIfPresent(Int.self, forKey: .port) ?? 0
        mysqldPort = try container.decodeIfPresent(Int.self, forKey: .mysqldPort) ?? 0
        role = try container.decodeIfPresent(NodeRole.self, forKey: .role) ?? .none
        serverID = try container.decodeIfPresent(Int.self, forKey: .serverID) ?? 0
        restarts = try container.decodeIfPresent(Int.self, forKey: .restarts) ?? 0
        lastExit = try container.decodeIfPresent(String.self, forKey: .lastExit)
        pid = try container.decodeIfPresent(Int.self, forKey: .pid)
        error = try container.decodeIfPresent(String.self, forKey: .error)
        epoch = try container.decodeIfPresent(Int.self, forKey: .epoch) ?? 0
        readOnly = try container.decodeIfPresent(Bool.self, forKey: .readOnly)
        gtidCurrentPos = try container.decodeIfPresent(String.self, forKey: .gtidCurrentPos)
        gtidBinlogPos = try container.decodeIfPresent(String.self, forKey: .gtidBinlogPos)
        gtidSlavePos = try container.decodeIfPresent(String.self, forKey: .gtidSlavePos)
        semiSync = try container.decodeIfPresent(SemiSync.self, forKey: .semiSync)
        replication = try container.decodeIfPresent(Replication.self, forKey: .replication)
        performance = try container.decodeIfPresent(Performance.self, forKey: .performance)
        statusError = try container.decodeIfPresent(String.self, forKey: .statusError)
    }
}
