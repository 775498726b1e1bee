import ConPaaSCore
import FoundationEssentials
import JSONRPC
import MariaDB

extension AgentNode {
    /// Makes this node the (writable) master and answers what replicas need to
    /// follow it. `epoch` must not be older than the node's; `semiSync` makes
    /// commits wait for a replica's acknowledgement.
    func setUpMaster(serverID: UInt32?, epoch: Int?, semiSync: Bool) async throws -> [String: JSONValue] {
        try await change {
            try accept(epoch: epoch)
            try await replication.enableMaster(serverID: serverID, semiSync: semiSync)
            try store.update { state in
                state.role = .master
                state.masterHost = nil
                if let serverID { state.serverID = serverID }
                if let epoch { state.epoch = epoch }
            }
        }
        logger.info("this node is now the master")
        return try await masterCoordinates()
    }

    /// The coordinates of ``setUpMaster(serverID:)``, without changing anything.
    func masterCoordinates() async throws -> [String: JSONValue] {
        let coordinates = try await replication.masterCoordinates()
        return [
            "master_host": .string(configuration.address), "master_port": .int(configuration.mysqlPort),
            "master_log_file": .string(coordinates.file), "master_log_pos": .int(coordinates.position),
            "gtid": .string(coordinates.gtid), "server_id": .int(Int(serverID)),
        ]
    }

    /// Creates the replication account for the replica at `replicaHost`. Masters only.
    func createReplicationAccount(forReplica replicaHost: String) async throws -> ReplicationAccount {
        let account = try await change {
            guard role != .slave else { throw AgentError.wrongRole("this node is a replica; replication accounts live on the master") }
            return try await replication.createAccount(forReplica: replicaHost)
        }
        logger.info("created replication account", metadata: ["replica": "\(replicaHost)", "user": "\(account.user)"])
        return account
    }

    /// Drops the replication account of a removed replica.
    func dropReplicationAccount(forReplica replicaHost: String) async throws {
        try await change { try await replication.dropAccount(forReplica: replicaHost) }
        logger.info("dropped replication account", metadata: ["replica": "\(replicaHost)"])
    }

    /// Makes this node a read-only replica. Everything that can fail without
    /// touching the local server (reaching the master agent, logging in to the
    /// master) is checked first, so a refused call leaves the server as it was.
    func setUpReplica(_ setup: ReplicaSetup) async throws {
        if setup.masterHost == configuration.address, setup.masterPort == configuration.mysqlPort {
            throw AgentError.invalidInput("a node cannot replicate from itself (\(setup.masterHost):\(setup.masterPort))")
        }
        let masterAgent = "http://\(hostForURL(setup.masterHost)):\(setup.masterAgentPort)"
        let clock = ContinuousClock()
        let started = clock.now
        func progress(_ step: String) {
            logger.info("replica set-up: \(step)", metadata: ["elapsed": "\(clock.now - started)"])
        }
        try await change {
            // Checked under the lock: a switchover may change the role meanwhile.
            guard role != .master else {
                throw AgentError.wrongRole("this node is the master of its service; it cannot become a replica")
            }
            let account = try await replicationAccount(for: setup, masterAgent: masterAgent)
            try await checkLogin(to: setup, account: account)
            progress("master reachable, account ready")
            try await replication.resetForNewMaster()
            var gtid: String?
            switch setup.startingPoint {
            case .snapshot:
                let loader = SnapshotLoader(paths: paths, threadPool: threadPool, secret: configuration.secret, logger: logger)
                gtid = try await database.restoringRootPassword { try await loader.load(from: masterAgent) }
            case .physicalCopy(let sourceHost, let minimum):
                let source = "http://\(hostForURL(sourceHost)):\(setup.masterAgentPort)"
                if try await dataSize(at: source) < minimum {
                    progress("the source holds under \(minimum) bytes: seeding with a dump")
                    let loader = SnapshotLoader(paths: paths, threadPool: threadPool, secret: configuration.secret, logger: logger)
                    gtid = try await database.restoringRootPassword { try await loader.load(from: masterAgent) }
                } else {
                    gtid = try await installPhysicalCopy(from: "\(source)/backup?token=\(RandomSecret.make(length: 16))", compressed: false).gtid
                }
            case .gtid(let position):
                gtid = position
            case .binlogFile:
                gtid = nil
            }
            if setup.startingPoint.bringsNoSeed {
                // No seed brings the heartbeat table, which the master made before this
                // starting point: without it the first replicated beat stops replication.
                try await database.withUnloggedConnection { try await Heartbeat.createTable(on: $0) }
            }
            progress("starting point \(gtid.map { "GTID \($0)" } ?? "binlog file position")")
            try await replication.startReplica(setup, account: account, gtid: gtid)
            try store.update { state in
                state.role = .slave
                state.masterHost = setup.masterHost
                if let serverID = setup.serverID { state.serverID = serverID }
            }
            try await waitUntilReplicating()
        }
        progress("replicating from \(setup.masterHost):\(setup.masterPort)")
    }

    func replicationAccount(for setup: ReplicaSetup, masterAgent: String) async throws -> ReplicationAccount {
        if let credentials = setup.credentials { return credentials }
        let client = RPCClient(baseURL: masterAgent, token: configuration.secret, httpClient: PeerHTTPClient.shared, timeout: .seconds(20))
        do {
            let answer = try await client.call("create_replication_user", params: ["replica_host": .string(configuration.address)])
            guard let user = answer["user"]?.stringValue, let password = answer["password"]?.stringValue else {
                throw AgentError.replicationFailed("the master agent answered create_replication_user without an account")
            }
            return ReplicationAccount(user: user, password: password)
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError.replicationFailed("cannot get a replication account from the master agent at \(masterAgent): \(error)")
        }
    }

    private func checkLogin(to setup: ReplicaSetup, account: ReplicationAccount) async throws {
        let configuration = MariaDBConfiguration(
            endpoint: .tcp(host: setup.masterHost, port: setup.masterPort), user: account.user, password: account.password,
            timeoutSeconds: 5)
        do {
            let connection = try await MariaDBConnection.connect(configuration, threadPool: threadPool)
            await connection.close()
        } catch {
            throw AgentError.replicationFailed(
                "cannot log in to the master's MariaDB at \(setup.masterHost):\(setup.masterPort) as \(account.user): \(error)")
        }
    }

    /// Waits for both replication threads to run; fails with the server's reason.
    func waitUntilReplicating(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: AgentStatus.Replication?
        while ContinuousClock.now < deadline {
            last = try await replication.replicaStatus()
            if last?.isReplicating == true { return }
            if let last, !last.lastSQLError.isEmpty {
                throw AgentError.replicationFailed("replication stopped: \(last.lastSQLError)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        let reason = [last?.lastIOError, last?.lastSQLError].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")
        throw AgentError.replicationFailed("replication did not start within \(timeout)\(reason.isEmpty ? "" : ": \(reason)")")
    }

    /// The bytes a physical copy of this node would carry: its tablespaces and
    /// table files (not the redo log or the binlogs), read from the data directory
    /// (InnoDB's statistics lag behind a bulk load).
    func dataSize() async throws -> Int64 {
        let directory = paths.dataDirectory
        return try await threadPool.runIfActive {
            let copied: Set<String> = ["ibd", "MAD", "MAI", "MYD", "MYI", "frm", "CSV"]
            var total: Int64 = 0
            for name in (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? [] {
                let file = name.split(separator: "/").last ?? ""
                let suffix = file.lastIndex(of: ".").map { file[file.index(after: $0)...] } ?? ""
                guard copied.contains(String(suffix)) || file.hasPrefix("ibdata") else { continue }
                total += FileSystem.size("\(directory)/\(name)")
            }
            return total
        }
    }

    /// `get_data_size` of the agent at `agentURL`.
    private func dataSize(at agentURL: String) async throws -> Int64 {
        let client = RPCClient(baseURL: agentURL, token: configuration.secret, httpClient: PeerHTTPClient.shared, timeout: .seconds(20))
        do {
            return Int64(try await client.call("get_data_size", kind: .get)["bytes"]?.intValue ?? 0)
        } catch {
            throw AgentError.replicationFailed("cannot ask the seeding source at \(agentURL) for its size: \(error)")
        }
    }

    func hostForURL(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}
