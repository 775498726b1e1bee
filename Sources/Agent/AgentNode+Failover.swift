import JSONRPC

/// Role changes driven by the manager's switchovers and failovers. Each one
/// carries the service's epoch and runs under the node's serial lock, where the
/// epoch and the role are checked: a call from before a promotion is refused.
extension AgentNode {
    /// Refuses `epoch` when it is older than the node's (or missing once the node has one).
    func accept(epoch: Int?) throws {
        let known = store.value.epoch
        if let known, epoch ?? Int.min < known { throw AgentError.staleEpoch(epoch, known: known) }
    }

    /// Ends writes on this node (a master being switched over or failed over):
    /// read-only, user sessions killed, and with `stopServer` mariadbd stopped.
    /// Answers the binlog position it reached, when mariadbd was up to tell.
    func fence(epoch: Int, stopServer: Bool) async throws -> String? {
        let position: String? = try await operations.run {
            try accept(epoch: epoch)
            try store.update { $0.epoch = epoch }
            guard supervisor.agentState == .running else { return nil }
            return try await replication.fence()
        }
        logger.warning("fenced: no more writes on this node", metadata: ["epoch": "\(epoch)", "stop": "\(stopServer)"])
        if stopServer {
            supervisor.send(.stop)
            try await waitUntilStopped()
        }
        return position
    }

    /// Applies what this replica received (up to `gtid` when given), stopping
    /// its IO thread first when `stopIO`. Answers `gtid_current_pos`.
    func catchUp(gtid: String?, stopIO: Bool, timeoutSeconds: Int) async throws -> String {
        try await change {
            guard role == .slave else { throw AgentError.wrongRole("this node is not a replica") }
            return try await replication.catchUp(to: gtid, stopIO: stopIO, timeoutSeconds: timeoutSeconds)
        }
    }

    /// Replicates from the new master at `masterHost`. A master is only turned
    /// into a replica when `demote` says so (a switchover's old master).
    func follow(masterHost: String, masterPort: Int, masterAgentPort: Int, epoch: Int, demote: Bool) async throws {
        try await change {
            try accept(epoch: epoch)
            guard role != .master || demote else {
                throw AgentError.wrongRole("this node is the master of its service; only a switchover demotes it")
            }
            let setup = ReplicaSetup(
                masterHost: masterHost, masterPort: masterPort, masterAgentPort: masterAgentPort, credentials: nil,
                startingPoint: .snapshot, serverID: nil)
            // A replica keeps its account: accounts replicate, so it exists on the new master. A former
            // master needs one, and so does a replica whose settings are gone (RESET SLAVE ALL).
            let keepsAccount = role == .slave ? try await replication.replicaStatus() != nil : false
            let account = keepsAccount ? nil : try await replicationAccount(
                for: setup, masterAgent: "http://\(hostForURL(masterHost)):\(masterAgentPort)")
            try await replication.follow(host: masterHost, port: masterPort, account: account, demote: demote)
            try store.update { state in
                state.role = .slave
                state.masterHost = masterHost
                state.epoch = epoch
            }
            try await waitUntilReplicating()
        }
        logger.info("following the new master", metadata: ["master": "\(masterHost)", "epoch": "\(epoch)", "demoted": "\(demote)"])
    }
}
