import ConPaaSCore
import Foundation
import GRDB

/// The manager's persistent state (service, nodes, jobs, tasks) in SQLite under
/// the state directory. Every change is one transaction, so a manager killed at
/// any moment restarts from a consistent state.
final class ManagerStore: Sendable {
    let database: DatabaseQueue

    /// Opens (creating and migrating if needed) `path`.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
        try database.write { db in
            if try ServiceRecord.fetchOne(db) == nil {
                try ServiceRecord(tag: RandomSecret.make(length: 6).lowercased(), lifecycle: .active, nextServerID: 1, nextNodeNumber: 1, createdAt: Date()).insert(db)
            }
        }
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
        return migrator
    }

    /// Everything, read in one transaction.
    func snapshot() async throws -> ServiceSnapshot {
        try await database.read { db in
            ServiceSnapshot(
                service: try ServiceRecord.fetchOne(db)!,
                nodes: try NodeRecord.order(Column("number")).fetchAll(db),
                jobs: try JobRecord.order(Column("id")).fetchAll(db),
                promotions: try PromotionRecord.filter(Column("stage") != nil).fetchAll(db)
            )
        }
    }

    /// One node as stored now.
    func node(_ id: String) async throws -> NodeRecord? {
        try await database.read { db in try NodeRecord.fetchOne(db, key: id) }
    }

    /// The tasks of the given jobs (all jobs when nil) in plan order, read with one query.
    func tasksByJob(_ jobs: [Int64]? = nil) async throws -> [Int64: [TaskRecord]] {
        try await database.read { db in
            let request = jobs.map { TaskRecord.filter($0.contains(Column("jobID"))) } ?? TaskRecord.all()
            return Dictionary(grouping: try request.order(Column("id")).fetchAll(db), by: \.jobID)
        }
    }

    /// The tasks of one job, in plan order.
    func tasks(ofJob id: Int64) async throws -> [TaskRecord] {
        try await database.read { db in
            try TaskRecord.filter(Column("jobID") == id).order(Column("id")).fetchAll(db)
        }
    }

    /// Applies `change` to node `id` if it exists; answers the stored result.
    @discardableResult
    func updateNode(_ id: String, _ change: @escaping @Sendable (inout NodeRecord) -> Void) async throws -> NodeRecord? {
        try await database.write { db in
            guard var node = try NodeRecord.fetchOne(db, key: id) else { return nil }
            change(&node)
            try node.update(db)
            return node
        }
    }
}

/// A consistent picture of the service at one moment.
struct ServiceSnapshot: Sendable {
    var service: ServiceRecord
    var nodes: [NodeRecord]
    var jobs: [JobRecord]
    /// Switchovers and failovers under way.
    var promotions: [PromotionRecord]

    /// Nodes that are part of the service (not terminated).
    var liveNodes: [NodeRecord] { nodes.filter { $0.state.isLive } }

    /// The node recorded as master (``NodeRecord/isMasterOfRecord``: one meaning everywhere).
    var master: NodeRecord? { liveNodes.first(where: \.isMasterOfRecord) }

    /// The master when it can take writes: RUNNING and no promotion under way.
    var writableMaster: NodeRecord? {
        guard promotions.isEmpty, let master, master.state == .running else { return nil }
        return master
    }

    /// Why no node takes writes, or nil when one does (or none is expected yet).
    var noWriterReason: String? {
        if let promotion = promotions.first { return "a \(promotion.kind.rawValue) is under way (job \(promotion.jobID))" }
        guard let master else {
            return liveNodes.isEmpty ? nil : "the service has no master"
        }
        switch master.state {
        case .running: return nil
        case .failed: return "the master \(master.id) failed: \(master.reason ?? "no reason recorded")"
        default: return liveNodes.contains { $0.state == .running } ? "the master \(master.id) is \(master.state.rawValue)" : nil
        }
    }

    var runningJobs: [JobRecord] { jobs.filter { $0.state == .running } }

    func node(_ id: String) -> NodeRecord? { nodes.first { $0.id == id } }
}
