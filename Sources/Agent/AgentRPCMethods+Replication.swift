import JSONRPC

extension AgentRPCMethods {
    static func registerReplicationMethods(_ methods: inout RPCMethods, node: AgentNode) {
        methods.register("set_up_replica_master", kind: .post) { params in
            try params.expectOnly(["server_id", "epoch", "semi_sync"])
            let serverID = try params.optionalInt("server_id").map { try checkedServerID($0, name: "server_id") }
            let epoch = try params.optionalInt("epoch").map { try checkedEpoch($0) }
            let semiSync = try params.optionalBool("semi_sync") ?? false
            return .object(try await node.translatingErrors { try await node.setUpMaster(serverID: serverID, epoch: epoch, semiSync: semiSync) })
        }
        registerFailoverMethods(&methods, node: node)
        methods.register("set_up_replica_slave", kind: .post) { params in
            let setup = try replicaSetup(from: params)
            try await node.translatingErrors { try await node.setUpReplica(setup) }
            return ["return": "OK"]
        }
        methods.register("get_data_size", kind: .get) { params in
            try params.expectOnly([])
            return ["bytes": .int(Int(try await node.translatingErrors { try await node.dataSize() }))]
        }
        methods.register("create_replication_user", kind: .post) { params in
            try params.expectOnly(["replica_host"])
            let host = try checkedHost(params, "replica_host")
            let account = try await node.translatingErrors { try await node.createReplicationAccount(forReplica: host) }
            return ["user": .string(account.user), "password": .string(account.password)]
        }
        methods.register("drop_replication_user", kind: .post) { params in
            try params.expectOnly(["replica_host"])
            let host = try checkedHost(params, "replica_host")
            try await node.translatingErrors { try await node.dropReplicationAccount(forReplica: host) }
            return ["return": "OK"]
        }
    }

    /// Reads both forms of `set_up_replica_slave`: classic (file and position)
    /// and GTID (account, optional `gtid`; without one the replica is seeded:
    /// physically from the agent on `seed_from` when given and it holds at least
    /// `seed_physical_min_bytes`, else with a dump).
    static func replicaSetup(from params: RPCParams) throws -> ReplicaSetup {
        try params.expectOnly([
            "master_host", "master_port", "master_agent_port", "user", "password", "gtid",
            "master_log_file", "master_log_pos", "slave_server_id", "seed_from", "seed_physical_min_bytes",
        ])
        let host = try checkedHost(params, "master_host")
        let port = try checkedPort(params, "master_port", default: 3306)
        let agentPort = try checkedPort(params, "master_agent_port", default: 60000)
        let user = try params.optionalString("user")
        let password = try params.optionalString("password")
        guard (user == nil) == (password == nil) else {
            throw user == nil ? RPCError.missingArgument("user") : RPCError.missingArgument("password")
        }
        let serverID = try params.optionalInt("slave_server_id").map { try checkedServerID($0, name: "slave_server_id") }
        let start: ReplicaSetup.StartingPoint
        if let file = try params.optionalString("master_log_file") {
            guard ReplicaSetup.isValidBinlogFileName(file) else {
                throw RPCError.invalidArgument("master_log_file", detail: "not a binlog file name")
            }
            let position = try params.int("master_log_pos")
            guard position >= 4 else { throw RPCError.invalidArgument("master_log_pos", detail: "must be at least 4") }
            start = .binlogFile(name: file, position: position)
        } else if params.values["master_log_pos"] != nil {
            throw RPCError.missingArgument("master_log_file")
        } else if let gtid = try params.optionalString("gtid") {
            guard ReplicaSetup.isValidGTIDPosition(gtid) else {
                throw RPCError.invalidArgument("gtid", detail: "expected domain-server-sequence, comma separated")
            }
            start = .gtid(gtid)
        } else if params.values["seed_from"] != nil {
            let minimum = try params.optionalInt("seed_physical_min_bytes") ?? Int(ReplicaSetup.physicalCopyMinimumBytes)
            guard minimum >= 0 else { throw RPCError.invalidArgument("seed_physical_min_bytes", detail: "must be at least 0") }
            start = .physicalCopy(sourceHost: try checkedHost(params, "seed_from"), minimumBytes: Int64(minimum))
        } else {
            start = .snapshot
        }
        return ReplicaSetup(
            masterHost: host, masterPort: port, masterAgentPort: agentPort,
            credentials: user.flatMap { user in password.map { ReplicationAccount(user: user, password: $0) } }, startingPoint: start, serverID: serverID)
    }

    static func checkedEpoch(_ value: Int) throws(RPCError) -> Int {
        guard value >= 0 else { throw RPCError.invalidArgument("epoch", detail: "must be at least 0") }
        return value
    }

    static func checkedHost(_ params: RPCParams, _ name: String) throws -> String {
        let host = try params.string(name)
        guard AccountRules.isValidHost(host) else { throw RPCError.invalidArgument(name, detail: "not an address or host name") }
        return host
    }

    static func checkedPort(_ params: RPCParams, _ name: String, default port: Int) throws -> Int {
        let value = try params.optionalInt(name) ?? port
        guard (1...65535).contains(value) else { throw RPCError.invalidArgument(name, detail: "must be a port number (1-65535)") }
        return value
    }

    private static func checkedServerID(_ value: Int, name: String) throws -> UInt32 {
        guard (1...4_294_967_295).contains(value) else { throw RPCError.invalidArgument(name, detail: "must be from 1 to 4294967295") }
        return UInt32(value)
    }
}
