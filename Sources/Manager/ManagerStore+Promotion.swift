import ConPaaSCore
import Foundation
import GRDB
import JSONRPC

/// How switchovers and failovers are recorded: each stage's end, the epoch,
/// and the change of roles, each in one transaction.
extension ManagerStore {
    /// What a switchover or failover is asked to do.
    struct PromotionRequest: Sendable {
        var kind: PromotionRecord.Kind
        var jobKind: JobKind
        var automatic = false
        /// The replica asked to take over (nil: ELECT chooses).
        var target: String?
        var afterwards: PromotionRecord.Afterwards
        var reason: String?
        var masterLastSeen: Date?
        var oldMasterGTID: String?
        var semiSyncBefore: String?
    }

    /// Records a switchover or failover job after checking it can run now.
    func startPromotion(_ request: PromotionRequest) async throws -> JobRecord {
        try await write { db in
            let service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            if let running = try PromotionRecord.underWay.fetchOne(db) {
                throw RPCError.failed("a \(running.kind.rawValue) is already under way (job \(running.jobID))")
            }
            let live = try NodeRecord.live.order(Column("number")).fetchAll(db)
            guard let master = live.first(where: \.isMasterOfRecord) else {
                throw RPCError.failed("the service has no master")
            }
            if request.kind == .switchover {
                if let other = try JobRecord.filter(Column("state") == JobState.running.rawValue).fetchOne(db) {
                    throw RPCError.failed("job \(other.id ?? 0) (\(other.kind.rawValue)) is running; try again when it ends")
                }
                guard master.state == .running else {
                    throw RPCError.failed("the master \(master.id) is \(master.state.rawValue); use failover")
                }
            }
            if let target = request.target {
                guard let node = live.first(where: { $0.id == target }) else {
                    throw RPCError.invalidArgument("serviceNodeId", detail: "unknown node \(target)")
                }
                guard node.id != master.id else { throw RPCError.invalidArgument("serviceNodeId", detail: "\(target) is already the master") }
                guard node.state == .running, node.stage == nil else {
                    throw RPCError.invalidArgument("serviceNodeId", detail: "\(target) is \(node.state.rawValue); only a RUNNING replica can take over")
                }
            }
            guard live.contains(where: { $0.id != master.id && $0.state == .running && $0.stage == nil }) else {
                throw RPCError.failed("no replica can take over from \(master.id): the service has no running replica")
            }
            var job = JobRecord(kind: request.jobKind, state: .running, createdAt: Date())
            try job.insert(db)
            let promotion = PromotionRecord(
                jobID: job.id!, kind: request.kind, automatic: request.automatic, fromNode: master.id, toNode: request.target,
                afterwards: request.afterwards, stage: nil, reason: request.reason, masterLastSeen: request.masterLastSeen,
                oldMasterGTID: request.oldMasterGTID, semiSyncBefore: request.semiSyncBefore, startedAt: Date())
            var started = promotion
            started.stage = promotion.plan[0]
            try started.insert(db)
            for (index, stage) in promotion.plan.enumerated() {
                var task = TaskRecord(jobID: job.id!, nodeID: master.id, stage: stage, state: index == 0 ? .running : .pending, attempts: index == 0 ? 1 : 0)
                if index == 0 { task.startedAt = stage == .detect ? (request.masterLastSeen ?? Date()) : Date() }
                try task.insert(db)
            }
            return job
        }
    }

    /// The promotion's epoch: raised once, when FENCE first runs, and kept in the service.
    func raiseEpoch(_ promotion: PromotionRecord) async throws -> (PromotionRecord, Int) {
        try await write { db in
            var current = try PromotionRecord.fetchOne(db, key: promotion.jobID) ?? promotion
            if let epoch = current.epoch { return (current, epoch) }
            var service = try ServiceRecord.fetchOne(db)!
            service.epoch += 1
            try service.update(db)
            current.epoch = service.epoch
            try current.update(db)
            return (current, service.epoch)
        }
    }

    /// Ends the current stage (with `message` on its task), applies `change`,
    /// and starts the next stage of the plan (none: the promotion is finished).
    func advancePromotion(_ promotion: PromotionRecord, message: String? = nil, _ change: @escaping @Sendable (inout PromotionRecord) -> Void = { _ in })
        async throws -> PromotionRecord
    {
        try await write { db in
            var current = try PromotionRecord.fetchOne(db, key: promotion.jobID) ?? promotion
            guard let stage = current.stage else { return current }
            change(&current)
            try Self.setPromotionTask(db, current, stage: stage, state: .done, message: message)
            let plan = current.plan
            let next = plan.firstIndex(of: stage).flatMap { $0 + 1 < plan.count ? plan[$0 + 1] : nil }
            current.stage = next
            if let next { try Self.setPromotionTask(db, current, stage: next, state: .running) }
            try current.update(db)
            return current
        }
    }

    /// PROMOTE's record: the new master and the old one's new role change together.
    /// An automatic failover sets `holdUntil`: no other automatic one before it.
    func recordPromotion(_ promotion: PromotionRecord, promoted: String, reachedGTID: String, lost: [String], holdUntil: Date?) async throws
        -> PromotionRecord
    {
        let updated = try await advancePromotion(promotion, message: lost.isEmpty ? nil : "may be lost: \(lost.joined(separator: ","))") { record in
            record.promotedAt = Date()
            record.promotedGTID = reachedGTID
            record.lostGTIDs = lost.joined(separator: ",")
        }
        try await write { db in
            guard var newMaster = try NodeRecord.fetchOne(db, key: promoted), var oldMaster = try NodeRecord.fetchOne(db, key: updated.fromNode) else { return }
            newMaster.role = .master
            oldMaster.role = .slave
            try newMaster.update(db)
            try oldMaster.update(db)
            var service = try ServiceRecord.fetchOne(db)!
            service.lastFailover = Self.summary(of: updated, to: promoted)
            if let holdUntil { service.failoverHoldUntil = holdUntil }
            try service.update(db)
        }
        return updated
    }

    /// Gives up: the stage's task FAILED with `reason`, the rest skipped.
    func failPromotion(_ promotion: PromotionRecord, reason: String, holdUntil: Date?) async throws {
        try await write { db in
            guard var current = try PromotionRecord.fetchOne(db, key: promotion.jobID), let stage = current.stage else { return }
            try Self.setPromotionTask(db, current, stage: stage, state: .failed, message: reason)
            try TaskRecord.filter(Column("jobID") == current.jobID && Column("state") == TaskState.pending.rawValue)
                .updateAll(db, Column("state").set(to: TaskState.skipped.rawValue))
            current.stage = nil
            current.failure = reason
            try current.update(db)
            // A master found dead stays so in the records: no writable node until it is back or failed over.
            if current.kind == .failover, current.promotedAt == nil, var old = try NodeRecord.fetchOne(db, key: current.fromNode), old.state == .running {
                old.state = .failed
                old.reason = "failover failed: \(reason)"
                old.failedAt = Date()
                try old.update(db)
            }
            if let holdUntil, var service = try ServiceRecord.fetchOne(db) {
                service.failoverHoldUntil = holdUntil
                try service.update(db)
            }
        }
    }

    /// HEAL's record: the old master is terminated (its VM already destroyed)
    /// or removed through DRAIN and DESTROY; with `addReplacement`, a new
    /// replica is provisioned in the same job.
    func heal(after promotion: PromotionRecord, terminateOld: Bool, removeOld: Bool, addReplacement: Bool) async throws -> PromotionRecord {
        try await write { db in
            let job = promotion.jobID
            if var old = try NodeRecord.fetchOne(db, key: promotion.fromNode), old.state.isLive {
                if terminateOld {
                    old.state = .terminated
                    old.vmID = nil
                    old.stage = nil
                    old.jobID = job
                    try old.update(db)
                } else if removeOld {
                    try Self.startRemoval(of: &old, job: job, plan: Stage.removal, db: db)
                }
            }
            if addReplacement {
                var service = try ServiceRecord.fetchOne(db)!
                _ = try Self.insertNode(role: .slave, job: job, service: &service, db: db)
                try service.update(db)
            }
        }
        return try await advancePromotion(promotion, message: addReplacement ? "a replacement replica is being added" : nil)
    }

    /// The promotion with this job id.
    func promotion(job: Int64) async throws -> PromotionRecord? {
        try await read { db in try PromotionRecord.fetchOne(db, key: job) }
    }

    private static func setPromotionTask(_ db: Database, _ promotion: PromotionRecord, stage: Stage, state: TaskState, message: String? = nil) throws {
        guard var task = try TaskRecord.filter(Column("jobID") == promotion.jobID && Column("stage") == stage.rawValue).fetchOne(db) else { return }
        task.state = state
        if let message { task.message = message }
        switch state {
        case .running:
            task.startedAt = task.startedAt ?? Date()
            task.attempts += 1
        case .done, .failed, .skipped: task.finishedAt = Date()
        case .pending: task.finishedAt = nil
        }
        try task.update(db)
    }

    /// `get_service_info`'s `last_failover`, as JSON text.
    private static func summary(of promotion: PromotionRecord, to promoted: String) -> String {
        let summary: JSONValue = [
            "kind": .string(promotion.kind.rawValue), "automatic": .bool(promotion.automatic),
            "from": .string(promotion.fromNode), "to": .string(promoted), "epoch": promotion.epoch.map { .int($0) } ?? .null,
            "at": .string((promotion.promotedAt ?? Date()).iso8601), "job": .int(Int(promotion.jobID)),
            "write_unavailable_ms": promotion.writeUnavailableMilliseconds.map { .int($0) } ?? .null,
            "lost_gtids": .string(promotion.lostGTIDs ?? ""), "semi_sync_before": .string(promotion.semiSyncBefore ?? "n/a"),
        ]
        return summary.description
    }
}
