import ConPaaSCore
import Foundation
import GRDB
import JSONRPC

/// `removeNodes` was asked to remove a master that has replicas: a switchover must come first.
struct MasterRemoval: Error {}

/// The user requests that become jobs, each checked and recorded in one transaction.
extension ManagerStore {
    /// Records `count` new nodes and the job that provisions them. The first node
    /// of a service without a master becomes the master.
    func addNodes(count: Int, maxNodes: Int) async throws -> (job: JobRecord, nodes: [NodeRecord]) {
        try await write { db in
            var service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            let live = try NodeRecord.live.fetchAll(db)
            guard count <= maxNodes - live.count else {
                throw RPCError.invalidArgument(
                    "count", detail: "the service may have at most \(maxNodes) nodes (it has \(live.count))")
            }
            // A master that failed its health check still owns its VM and may come back (or be failed
            // over): a new replica could not be seeded from it now, so nothing is booted.
            let master = live.first(where: \.isMasterOfRecord)
            if let promotion = try PromotionRecord.underWay.fetchOne(db) {
                throw RPCError.failed("a \(promotion.kind.rawValue) is under way (job \(promotion.jobID)); add nodes when it ends")
            }
            if let master, master.state == .failed {
                throw RPCError.failed(
                    "the master \(master.id) is FAILED (\(master.reason ?? "no reason recorded")); no node is added until it is back or failed over")
            }
            let hasMaster = master != nil
            var job = JobRecord(kind: .addNodes, state: .running, createdAt: Date())
            try job.insert(db)
            var nodes: [NodeRecord] = []
            for index in 0..<count {
                nodes.append(try Self.insertNode(role: !hasMaster && index == 0 ? .master : .slave, job: job.id!, service: &service, db: db))
            }
            try service.update(db)
            return (job, nodes)
        }
    }

    /// Records the removal of the given nodes, or of `count` replicas (newest first).
    /// The master can only go when it is the last node.
    func removeNodes(ids: [String]?, count: Int?) async throws -> JobRecord {
        try await write { db in
            let service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            let live = try NodeRecord.live.order(Column("number").desc).fetchAll(db)
            let removable = live.filter { $0.state != .removing }
            var chosen: [NodeRecord]
            if let ids {
                chosen = try Array(Set(ids)).sorted().map { id in
                    guard let node = removable.first(where: { $0.id == id }) else {
                        throw RPCError.invalidArgument("serviceNodeId", detail: "unknown node \(id)")
                    }
                    return node
                }
            } else {
                let replicas = removable.filter { $0.role != .master }
                guard let count, count <= replicas.count else {
                    throw RPCError.invalidArgument("count", detail: "there are only \(replicas.count) replicas to remove")
                }
                chosen = Array(replicas.prefix(count))
            }
            let others = removable.filter { node in !chosen.contains { $0.id == node.id } }
            if chosen.contains(where: { $0.role == .master }), !others.isEmpty {
                // The caller switches the master over first (``MasterRemoval``); only on its own.
                throw chosen.count == 1 ? MasterRemoval() : RPCError.failed("remove the master on its own: it is switched over first")
            }
            var job = JobRecord(kind: .removeNodes, state: .running, createdAt: Date())
            try job.insert(db)
            for var node in chosen {
                try Self.startRemoval(of: &node, job: job.id!, plan: Stage.removal, db: db)
            }
            return job
        }
    }

    /// Records the replacement of replica `id`: a new replica is provisioned
    /// and the old one removed (DRAIN, DESTROY), in one job.
    func replaceReplica(_ id: String) async throws -> JobRecord {
        try await write { db in
            var service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            guard var old = try NodeRecord.fetchOne(db, key: id), old.state.isLive, old.state != .removing else {
                throw RPCError.invalidArgument("serviceNodeId", detail: "unknown node \(id)")
            }
            guard old.role != .master else { throw RPCError.failed("\(id) is the master: it is switched over before it is replaced") }
            if let promotion = try PromotionRecord.underWay.fetchOne(db) {
                throw RPCError.failed("a \(promotion.kind.rawValue) is under way (job \(promotion.jobID)); try again when it ends")
            }
            var job = JobRecord(kind: .replaceNode, state: .running, createdAt: Date())
            try job.insert(db)
            try Self.startRemoval(of: &old, job: job.id!, plan: Stage.removal, db: db)
            _ = try Self.insertNode(role: .slave, job: job.id!, service: &service, db: db)
            try service.update(db)
            return job
        }
    }

    /// Starts the shutdown: every node is destroyed, then the service is STOPPED.
    func shutdown() async throws -> JobRecord {
        try await write { db in
            var service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            service.lifecycle = .stopping
            try service.update(db)
            var job = JobRecord(kind: .shutdown, state: .running, createdAt: Date())
            try job.insert(db)
            let live = try NodeRecord.live.fetchAll(db)
            for var node in live {
                try Self.startRemoval(of: &node, job: job.id!, plan: [.destroy], db: db)
            }
            return job
        }
    }

    /// A new node with the provisioning plan in `job`, numbered from `service`'s counters.
    static func insertNode(role: NodeRole, job: Int64, service: inout ServiceRecord, db: Database) throws -> NodeRecord {
        let node = NodeRecord(
            id: "node-\(service.nextNodeNumber)", number: service.nextNodeNumber, role: role, state: .pending,
            serverID: service.nextServerID, jobID: job, stage: .create, attempts: 0,
            createRequested: false, stageStartedAt: Date(), createdAt: Date())
        service.nextNodeNumber += 1
        service.nextServerID += 1
        try node.insert(db)
        try insertPlan(Stage.provisioning, job: job, node: node.id, db: db)
        return node
    }

    static func startRemoval(of node: inout NodeRecord, job: Int64, plan: [Stage], db: Database) throws {
        if let previous = node.jobID {
            try TaskRecord.filter(Column("jobID") == previous && Column("nodeID") == node.id && [TaskState.pending.rawValue, TaskState.running.rawValue].contains(Column("state")))
                .updateAll(db, Column("state").set(to: TaskState.skipped.rawValue), Column("message").set(to: "superseded by job \(job)"))
        }
        node.state = .removing
        node.jobID = job
        node.stage = plan[0]
        node.attempts = 0
        node.stageStartedAt = Date()
        try node.update(db)
        try insertPlan(plan, job: job, node: node.id, db: db)
    }

    private static func insertPlan(_ stages: [Stage], job: Int64, node: String, db: Database) throws {
        for stage in stages {
            var task = TaskRecord(jobID: job, nodeID: node, stage: stage, state: .pending, attempts: 0)
            try task.insert(db)
        }
    }
}
