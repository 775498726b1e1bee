import ConPaaSCore
import MariaDB
import Synchronization

/// Holds MariaDB's backup lock at stage `BLOCK_DDL` while any snapshot is being
/// dumped: table DDL (CREATE, ALTER, DROP, RENAME, TRUNCATE) waits until the
/// last one ends; rows, accounts and temporary tables go on as usual.
///
/// `--single-transaction` gives the dump a consistent view of rows, not of
/// table definitions: an `ALTER TABLE` made during the dump would either be
/// dumped ahead of the snapshot's GTID position (the replica then replays it
/// and its replication stops on the duplicate change) or fail the dump (error
/// 1412). Overlapping snapshots share one lock, since a second
/// `BACKUP STAGE START` would wait for the first to end.
final class DDLFreeze: Sendable {
    private let database: LocalDatabase
    private let lockWaitSeconds: Int
    private let serial = AsyncSerialLock()
    private let holder = Mutex<(count: Int, connection: MariaDBConnection?)>((0, nil))

    /// `lockWaitSeconds`: how long taking the lock may wait for DDL already
    /// running (or a `LOCK TABLES ... WRITE`, or another backup) before the
    /// snapshot fails.
    init(database: LocalDatabase, lockWaitSeconds: Int = 60) {
        self.database = database
        self.lockWaitSeconds = lockWaitSeconds
    }

    /// Runs `body` with table DDL blocked on this server.
    func during<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await enter()
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        await leave()
        return try outcome.get()
    }

    private func enter() async throws {
        try await serial.run {
            guard holder.withLock({ $0.count }) == 0 else {
                holder.withLock { $0.count += 1 }
                return
            }
            let connection = try await database.openConnection()
            do {
                try await connection.execute("SET SESSION lock_wait_timeout = \(literal: lockWaitSeconds)")
                try await connection.execute("BACKUP STAGE START")
                try await connection.execute("BACKUP STAGE BLOCK_DDL")
            } catch {
                await connection.close()
                throw AgentError.replicationFailed("cannot hold table changes back for the snapshot: \(error)")
            }
            holder.withLock { $0 = (1, connection) }
        }
    }

    private func leave() async {
        _ = try? await serial.run {
            let last = holder.withLock { holder -> MariaDBConnection? in
                holder.count -= 1
                guard holder.count == 0 else { return nil }
                defer { holder.connection = nil }
                return holder.connection
            }
            guard let last else { return }
            _ = try? await last.execute("BACKUP STAGE END")
            await last.close()  // closing alone would also end the stage
        }
    }
}
