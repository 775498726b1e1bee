import ConPaaSCore
import JSONRPC
import MariaDB

/// What `restore_backup` asks: a backup in the manager's store and the archived
/// binlogs to roll it forward through, as paths under the manager's `/backup-files/`.
struct RestoreRequest: Sendable, Equatable {
    var backupPath: String
    var compressed: Bool
    /// The archive's segments, oldest first; each the binlog files of one master, in order.
    var binlogSegments: [[String]]
    var stop: ReplayStop?
}

extension AgentNode {
    /// Makes this node a copy of a backup in the manager's store, rolled forward
    /// through the archived binlogs up to the stop (excluded). The node stays
    /// read-only: the manager makes it the master afterwards. A node that awaits a
    /// restore gets the copy before its first mariadbd start; a running one has its
    /// data replaced. Answers the backup's position and the position reached.
    func restore(_ request: RestoreRequest) async throws -> (backup: String, reached: String) {
        guard let managerURL = configuration.managerURL else {
            throw AgentError.invalidInput("this agent has no manager to fetch a backup from")
        }
        let base = "\(managerURL)/backup-files/"
        return try await operations.run {
            guard awaitsRestore || supervisor.agentState == .running else { throw AgentError.serverNotRunning }
            guard role != .slave else { throw AgentError.wrongRole("this node is a replica; restore on a new node") }
            let position = try await installPhysicalCopy(from: base + request.backupPath, compressed: request.compressed)
            guard let start = GTIDPosition(position.gtid) else {
                throw AgentError.internalFailure("the backup's GTID position \(position.gtid) is not one")
            }
            // The restored binlog starts empty: carry on the backup's GTID sequence, so
            // replayed and new transactions keep their numbers in order. RESET MASTER
            // waits for the binlog checkpoint of the server's start, which InnoDB reaches
            // only at its next once-a-second log flush (0.5-1 s here): flush it now.
            try await database.withConnection { connection in
                try await connection.execute("FLUSH LOCAL ENGINE LOGS")
                try await connection.execute("RESET MASTER")
                try await connection.execute("SET GLOBAL gtid_binlog_state = \(literal: position.gtid)")
                try await connection.execute("SET GLOBAL gtid_slave_pos = \(literal: position.gtid)")
            }
            let replay = BinlogReplay(paths: paths, threadPool: threadPool, secret: configuration.secret, logger: logger)
            let reached = try await replay.replay(
                segments: request.binlogSegments.map { $0.map { base + $0 } }, from: start, stop: request.stop,
                currentPosition: { try await self.binlogPosition() })
            logger.info("restored a backup", metadata: ["backup.gtid": "\(position.gtid)", "reached": "\(reached)"])
            return (position.gtid, reached.description)
        }
    }

    /// Refuses to start mariadbd before a restore gave this node its data.
    func refuseWhileAwaitingRestore() throws {
        guard !awaitsRestore else {
            throw RPCError.failed("Service in wrong state: this node awaits restore_backup, which installs its data and starts MariaDB")
        }
    }

    private func binlogPosition() async throws -> GTIDPosition {
        let text = try await database.withConnection { connection in
            try await connection.query("SELECT @@GLOBAL.gtid_binlog_pos AS pos").first?["pos"] ?? ""
        }
        guard let position = GTIDPosition(text) else { throw AgentError.internalFailure("unreadable gtid_binlog_pos \(text)") }
        return position
    }
}
