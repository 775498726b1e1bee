import JSONRPC

extension AgentRPCMethods {
    /// The methods a manager's switchover and failover call: `fence`, `catch_up`, `follow_master`.
    static func registerFailoverMethods(_ methods: inout RPCMethods, node: AgentNode) {
        methods.register("fence", kind: .post) { params in
            try params.expectOnly(["epoch", "stop_server"])
            let epoch = try checkedEpoch(try params.int("epoch"))
            let stop = try params.optionalBool("stop_server") ?? false
            let position = try await node.translatingErrors { try await node.fence(epoch: epoch, stopServer: stop) }
            return ["gtid_binlog_pos": position.map(JSONValue.string) ?? .null]
        }
        methods.register("catch_up", kind: .post) { params in
            try params.expectOnly(["gtid", "stop_io", "timeout"])
            let gtid = try params.optionalString("gtid")
            if let gtid, !ReplicaSetup.isValidGTIDPosition(gtid) {
                throw RPCError.invalidArgument("gtid", detail: "expected domain-server-sequence, comma separated")
            }
            let timeout = try params.optionalInt("timeout") ?? 60
            guard (1...3600).contains(timeout) else { throw RPCError.invalidArgument("timeout", detail: "must be from 1 to 3600 seconds") }
            let stopIO = try params.optionalBool("stop_io") ?? false
            let reached = try await node.translatingErrors { try await node.catchUp(gtid: gtid, stopIO: stopIO, timeoutSeconds: timeout) }
            return ["gtid_current_pos": .string(reached)]
        }
        methods.register("follow_master", kind: .post) { params in
            try params.expectOnly(["epoch", "master_host", "master_port", "master_agent_port", "demote"])
            let epoch = try checkedEpoch(try params.int("epoch"))
            let host = try checkedHost(params, "master_host")
            let port = try checkedPort(params, "master_port", default: 3306)
            let agentPort = try checkedPort(params, "master_agent_port", default: 60000)
            let demote = try params.optionalBool("demote") ?? false
            try await node.translatingErrors {
                try await node.follow(masterHost: host, masterPort: port, masterAgentPort: agentPort, epoch: epoch, demote: demote)
            }
            return ["return": "OK"]
        }
    }
}
