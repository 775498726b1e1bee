import ConPaaSCore
import MariaDB

/// The SQL side of replication on this node: master coordinates, replication
/// accounts, and turning the server into a replica.
struct ReplicationControl: Sendable {
    let database: LocalDatabase

    /// `SHOW MASTER STATUS` and the GTID position of that same binlog point
    /// (`BINLOG_GTID_POS`): what a new replica needs, from one reading.
    func masterCoordinates() async throws -> (file: String, position: Int, gtid: String) {
        try await database.withConnection { connection in
            guard let status = try await connection.query("SHOW MASTER STATUS").first, let file = status["File"], let position = status.int("Position") else {
                throw AgentError.replicationFailed("the binary log is off on this server")
            }
            let gtid = try await connection.query("SELECT BINLOG_GTID_POS(\(literal: file), \(literal: position)) AS gtid").first?["gtid"] ?? ""
            return (file, position, gtid)
        }
    }

    /// Takes the master role: stops any replication (what was received must
    /// have been applied: see `catchUp`), waits for a replica's acknowledgement
    /// when `semiSync`, and accepts writes.
    func enableMaster(serverID: UInt32?, semiSync: Bool) async throws {
        try await database.withConnection { connection in
            try await connection.execute("STOP SLAVE")
            try await connection.execute("RESET SLAVE ALL")
            if let serverID { try await connection.execute("SET GLOBAL server_id = \(literal: serverID)") }
            try await connection.execute("SET GLOBAL rpl_semi_sync_master_enabled = \(literal: semiSync ? 1 : 0)")
            try await connection.execute("SET GLOBAL read_only = OFF")
            try await Heartbeat.createTable(on: connection)
        }
    }

    /// Creates (or replaces) the account the replica at `replicaHost` logs in with.
    func createAccount(forReplica replicaHost: String) async throws -> ReplicationAccount {
        let user = AccountRules.replicationUser(forReplica: replicaHost)
        let host = AccountRules.replicationHost(forReplica: replicaHost)
        let password = RandomSecret.make(length: 32)
        try await database.withConnection { connection in
            try await connection.execute("CREATE OR REPLACE USER \(literal: user)@\(literal: host) IDENTIFIED BY \(literal: password)")
            try await connection.execute("GRANT REPLICATION SLAVE ON *.* TO \(literal: user)@\(literal: host)")
        }
        return ReplicationAccount(user: user, password: password)
    }

    /// Drops the replica's account, if it exists.
    func dropAccount(forReplica replicaHost: String) async throws {
        let user = AccountRules.replicationUser(forReplica: replicaHost)
        let host = AccountRules.replicationHost(forReplica: replicaHost)
        try await database.withConnection { connection in
            try await connection.execute("DROP USER IF EXISTS \(literal: user)@\(literal: host)")
        }
    }

    /// Forgets any replication and this node's own binlog, ready for a new master
    /// (with `gtid_strict_mode`, local binlog events would clash with the master's).
    /// `RESET MASTER` takes about a second on a server that just started, so it
    /// only runs when the binlog holds transactions.
    func resetForNewMaster() async throws {
        try await database.withConnection { connection in
            try await connection.execute("STOP SLAVE")
            try await connection.execute("RESET SLAVE ALL")
            let binlog = try await connection.query("SELECT @@GLOBAL.gtid_binlog_pos AS pos").first?["pos"] ?? ""
            if !binlog.isEmpty { try await connection.execute("RESET MASTER") }
        }
    }

    /// Points the server at the master, starts replication and makes it read-only.
    func startReplica(_ setup: ReplicaSetup, account: ReplicationAccount, gtid: String?) async throws {
        try await database.withConnection { connection in
            if let serverID = setup.serverID { try await connection.execute("SET GLOBAL server_id = \(literal: serverID)") }
            if let gtid { try await connection.execute("SET GLOBAL gtid_slave_pos = \(literal: gtid)") }
            let source: SQL = """
                MASTER_HOST = \(literal: setup.masterHost), MASTER_PORT = \(literal: setup.masterPort), \
                MASTER_USER = \(literal: account.user), MASTER_PASSWORD = \(literal: account.password), MASTER_CONNECT_RETRY = 1
                """
            if case .binlogFile(let name, let position) = setup.startingPoint {
                try await connection.execute(
                    "CHANGE MASTER TO \(source), MASTER_LOG_FILE = \(literal: name), MASTER_LOG_POS = \(literal: position), MASTER_USE_GTID = no")
            } else {
                try await connection.execute("CHANGE MASTER TO \(source), MASTER_USE_GTID = slave_pos, MASTER_HEARTBEAT_PERIOD = 1")
            }
            try await connection.execute("SET GLOBAL read_only = ON")
            try await connection.execute("START SLAVE")
        }
    }

    /// The replica's threads, or nil when this server replicates from nobody.
    func replicaStatus() async throws -> AgentStatus.Replication? {
        try await database.withConnection { connection in
            guard let row = try await connection.query("SHOW SLAVE STATUS").first else { return nil }
            return AgentStatus.Replication(
                masterHost: row["Master_Host"] ?? "",
                ioRunning: row["Slave_IO_Running"] ?? "No",
                sqlRunning: row["Slave_SQL_Running"] ?? "No",
                secondsBehindMaster: row.int("Seconds_Behind_Master"),
                lastIOError: row["Last_IO_Error"] ?? "",
                lastSQLError: row["Last_SQL_Error"] ?? "",
                usingGTID: row["Using_Gtid"] ?? "No",
                gtidIOPos: row["Gtid_IO_Pos"] ?? ""
            )
        }
    }
}
