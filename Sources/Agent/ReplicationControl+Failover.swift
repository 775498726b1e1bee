import ConPaaSCore
import MariaDB

/// The SQL of switchovers and failovers: fencing a master, letting a replica
/// apply what it received, and pointing a replica (or a former master) at a new master.
extension ReplicationControl {
    /// Stops writes: `read_only`, semi-sync off, and every user session ended
    /// (the agent's own root sessions and the replicas' binlog dumps stay, so
    /// replicas still receive the last transactions). Answers `gtid_binlog_pos`.
    func fence() async throws -> String {
        try await database.withConnection { connection in
            try await connection.execute("SET GLOBAL read_only = ON")
            try await connection.execute("SET GLOBAL rpl_semi_sync_master_enabled = 0")
            let sessions = try await connection.query("""
                SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() \
                AND USER NOT IN ('root', 'system user', 'event_scheduler', 'unauthenticated user') AND COMMAND NOT IN ('Binlog Dump', 'Daemon')
                """)
            for id in sessions.compactMap({ $0.int("ID") }) {
                // A session that ended meanwhile answers "Unknown thread id": fine.
                _ = try? await connection.execute("KILL CONNECTION \(literal: id)")
            }
            return try await connection.query("SELECT @@GLOBAL.gtid_binlog_pos AS pos").first?["pos"] ?? ""
        }
    }

    /// Waits until the replica has applied `target` (default: everything it
    /// received, `Gtid_IO_Pos`), first stopping the IO thread when `stopIO`
    /// (a dead master's replica: the relay log is applied, never purged by a
    /// thread restart). Answers `gtid_current_pos` once there.
    func catchUp(to target: String?, stopIO: Bool, timeoutSeconds: Int) async throws -> String {
        try await database.withConnection { connection in
            guard let status = try await connection.query("SHOW SLAVE STATUS").first else {
                throw AgentError.wrongRole("this node replicates from nobody")
            }
            if stopIO { try await connection.execute("STOP SLAVE IO_THREAD") }
            var goal = target ?? ""
            if target == nil { goal = try await connection.query("SHOW SLAVE STATUS").first?["Gtid_IO_Pos"] ?? status["Gtid_IO_Pos"] ?? "" }
            if !goal.isEmpty {
                let reached = try await connection.query("SELECT MASTER_GTID_WAIT(\(literal: goal), \(literal: timeoutSeconds)) AS r").first?["r"]
                guard reached == "0" else {
                    let error = try await connection.query("SHOW SLAVE STATUS").first?["Last_SQL_Error"] ?? ""
                    throw AgentError.replicationFailed(
                        "did not apply up to GTID \(goal) within \(timeoutSeconds) s\(error.isEmpty ? "" : ": \(error)")")
                }
            }
            return try await connection.query("SELECT @@GLOBAL.gtid_current_pos AS pos").first?["pos"] ?? ""
        }
    }

    /// Replicates from the master at `host`:`port` by GTID. A replica keeps its
    /// account (it exists on every node: accounts replicate) unless `account` is
    /// given; a former master (`demote`) merges its own binlog position into
    /// `gtid_slave_pos` (`MASTER_DEMOTE_TO_SLAVE`).
    func follow(host: String, port: Int, account: ReplicationAccount?, demote: Bool) async throws {
        try await database.withConnection { connection in
            try await connection.execute("STOP SLAVE")
            try await connection.execute("SET GLOBAL read_only = ON")
            try await connection.execute("SET GLOBAL rpl_semi_sync_master_enabled = 0")
            var source: SQL = """
                MASTER_HOST = \(literal: host), MASTER_PORT = \(literal: port), MASTER_CONNECT_RETRY = 1, \
                MASTER_HEARTBEAT_PERIOD = 1, MASTER_USE_GTID = slave_pos
                """
            if let account {
                source = "\(source), MASTER_USER = \(literal: account.user), MASTER_PASSWORD = \(literal: account.password)"
            }
            if demote { source = "\(source), MASTER_DEMOTE_TO_SLAVE = 1" }
            try await connection.execute("CHANGE MASTER TO \(source)")
            try await connection.execute("START SLAVE")
        }
    }
}
