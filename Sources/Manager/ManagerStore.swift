import ConPaaSCore
import Foundation
import GRDB
import Synchronization

/// The manager's persistent state (service, nodes, jobs, tasks) in SQLite under
/// the state directory. Every change is one transaction, so a manager killed at
/// any moment restarts from a consistent state.
///
/// The current state (``snapshot()``) is kept in memory, replaced after each
/// write by what that write's transaction read back, so RPC calls and worker
/// rounds read no history.
final class ManagerStore: Sendable {
    private let database: DatabaseQueue
    private let current: Mutex<(version: Int, snapshot: ServiceSnapshot)>
    /// Counts committed writes (under the database's write lock) to order their publications.
    private let writes = Mutex(0)

    /// Opens (creating and migrating if needed) `path`.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
        let live = try database.write { db in
            if try ServiceRecord.fetchOne(db) == nil {
                try ServiceRecord(tag: RandomSecret.make(length: 6).lowercased(), lifecycle: .active, nextServerID: 1, nextNodeNumber: 1, createdAt: Date()).insert(db)
            }
            return try ServiceSnapshot(db)
        }
        current = Mutex((0, live))
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "service") { table in
                table.column("id", .integer).primaryKey()
                table.column("tag", .text).notNull()
                table.column("lifecycle", .text).notNull()
                table.column("nextServerID", .integer).notNull()
                table.column("nextNodeNumber", .integer).notNull()
                table.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "job") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("kind", .text).notNull()
                table.column("state", .text).notNull()
                table.column("message", .text)
                table.column("createdAt", .datetime).notNull()
                table.column("finishedAt", .datetime)
            }
            try db.create(table: "node") { table in
                table.primaryKey("id", .text)
                table.column("number", .integer).notNull().unique()
                table.column("vmID", .text)
                table.column("address", .text)
                table.column("role", .text).notNull()
                table.column("state", .text).notNull()
                table.column("serverID", .integer).notNull().unique()
                table.column("reason", .text)
                table.column("jobID", .integer).references("job")
                table.column("stage", .text)
                table.column("attempts", .integer).notNull()
                table.column("createRequested", .boolean).notNull()
                table.column("stageStartedAt", .datetime)
                table.column("lastSeen", .datetime)
                table.column("agentState", .text)
                table.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "task") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("jobID", .integer).notNull().references("job")
                table.column("nodeID", .text).notNull().references("node")
                table.column("stage", .text).notNull()
                table.column("state", .text).notNull()
                table.column("attempts", .integer).notNull()
                table.column("message", .text)
                table.column("startedAt", .datetime)
                table.column("finishedAt", .datetime)
                table.uniqueKey(["jobID", "nodeID", "stage"])
            }
        }
        migrator.registerMigration("v2: promotions") { db in
            try db.alter(table: "service") { table in
                table.add(column: "epoch", .integer).notNull().defaults(to: 0)
                table.add(column: "failoverHoldUntil", .datetime)
                table.add(column: "lastFailover", .text)
            }
            try db.alter(table: "node") { table in
                table.add(column: "failedAt", .datetime)
            }
            try db.create(table: "promotion") { table in
                table.primaryKey("jobID", .integer).references("job")
                table.column("kind", .text).notNull()
                table.column("automatic", .boolean).notNull()
                table.column("fromNode", .text).notNull().references("node")
                table.column("toNode", .text).references("node")
                table.column("afterwards", .text).notNull()
                table.column("stage", .text)
                table.column("epoch", .integer)
                table.column("reason", .text)
                table.column("masterLastSeen", .datetime)
                table.column("oldMasterGTID", .text)
                table.column("semiSyncBefore", .text)
                table.column("fencedAt", .datetime)
                table.column("promotedAt", .datetime)
                table.column("promotedGTID", .text)
                table.column("lostGTIDs", .text)
                table.column("failure", .text)
                table.column("startedAt", .datetime).notNull()
            }
        }
        registerBackupMigration(&migrator)
        migrator.registerMigration("v4: orphaned replication accounts") { db in
            try db.create(table: "orphanAccount") { table in
                table.primaryKey("replicaHost", .text)
                table.column("recordedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v5: live-state indexes") { db in
            // What the current state is read with: live nodes, a job's busy nodes, running jobs, promotions under way.
            try db.create(index: "node_on_state", on: "node", columns: ["state"])
            try db.create(index: "node_on_jobID", on: "node", columns: ["jobID"])
            try db.create(index: "job_on_state", on: "job", columns: ["state"])
            try db.create(index: "promotion_on_stage", on: "promotion", columns: ["stage"])
        }
        return migrator
    }

    /// The current state as the last committed write left it: no database read,
    /// so it costs the same however many finished jobs and terminated nodes are stored.
    func snapshot() -> ServiceSnapshot { current.withLock { $0.snapshot } }

    /// Runs `updates` in one write transaction, then publishes the live state it left
    /// (read in the same transaction) as the ``snapshot()``.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (result, live, version) = try await database.write { db in
            let result = try updates(db)
            return (result, try ServiceSnapshot(db), self.writes.withLock { count in
                count += 1
                return count
            })
        }
        // Writes are serialized, but their publications may race: the later write wins.
        current.withLock { published in
            if version > published.version { published = (version, live) }
        }
        return result
    }

    /// Runs `value` in one read transaction (history: what ``snapshot()`` leaves out).
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.read(value)
    }

    /// One node as stored now, terminated ones included.
    func node(_ id: String) async throws -> NodeRecord? {
        try await read { db in try NodeRecord.fetchOne(db, key: id) }
    }

    /// The tasks of one job, in plan order.
    func tasks(ofJob id: Int64) async throws -> [TaskRecord] {
        try await read { db in
            try TaskRecord.filter(Column("jobID") == id).order(Column("id")).fetchAll(db)
        }
    }

    /// Applies `change` to node `id` if it exists; answers the stored result.
    @discardableResult
    func updateNode(_ id: String, _ change: @escaping @Sendable (inout NodeRecord) -> Void) async throws -> NodeRecord? {
        try await write { db in
            guard var node = try NodeRecord.fetchOne(db, key: id) else { return nil }
            change(&node)
            try node.update(db)
            return node
        }
    }
}
