import ConPaaSCore
import Foundation
import GRDB
import JSONRPC

/// How the worker records progress: the node and its job's tasks change together.
extension ManagerStore {
    /// Marks `step`'s stage done and starts `next` (nil: the node is finished).
    /// Answers false, changing nothing, when the node has moved on meanwhile
    /// (another job took it over while the step's operation ran).
    @discardableResult
    func completeStage(_ step: NodeRecord, next: Stage?, state: NodeState, _ change: @escaping @Sendable (inout NodeRecord) -> Void = { _ in }) async throws -> Bool {
        let nodeID = step.id
        return try await write { db in
            guard var node = try Self.current(step, db), let stage = node.stage, let job = node.jobID else { return false }
            try Self.setTask(db, job: job, node: nodeID, stage: stage, state: .done)
            node.stage = next
            node.state = state
            node.stageStartedAt = Date()
            change(&node)
            try node.update(db)
            if let next { try Self.setTask(db, job: job, node: nodeID, stage: next, state: .running) }
            return true
        }
    }

    /// Marks `step`'s stage running (its first operation started). Answers false,
    /// changing nothing, when the node has moved on since `step` was read: the
    /// caller must then not start the operation.
    func startStage(_ step: NodeRecord, _ change: @escaping @Sendable (inout NodeRecord) -> Void = { _ in }) async throws -> Bool {
        let nodeID = step.id
        return try await write { db in
            guard var node = try Self.current(step, db), let stage = node.stage, let job = node.jobID else { return false }
            change(&node)
            try node.update(db)
            try Self.setTask(db, job: job, node: nodeID, stage: stage, state: .running, attempts: node.attempts + 1)
            return true
        }
    }

    /// Sends the node back to CREATE (its VM was destroyed) after `reason`.
    func restartProvisioning(_ step: NodeRecord, reason: String) async throws {
        let nodeID = step.id
        try await write { db in
            guard var node = try Self.current(step, db), let stage = node.stage, let job = node.jobID else { return }
            try Self.setTask(db, job: job, node: nodeID, stage: stage, state: .pending, message: "retrying: \(reason)")
            node.attempts += 1
            node.stage = .create
            node.state = .pending
            node.vmID = nil
            node.address = nil
            node.createRequested = false
            node.agentState = nil
            node.lastSeen = nil
            node.reason = reason
            node.stageStartedAt = Date()
            try node.update(db)
            for later in Stage.provisioning where later != .create {
                try Self.setTask(db, job: job, node: nodeID, stage: later, state: .pending)
            }
            try Self.setTask(db, job: job, node: nodeID, stage: .create, state: .running, attempts: node.attempts + 1)
        }
    }

    /// Gives up on the node: FAILED with `reason`, the rest of its plan skipped.
    func failNode(_ step: NodeRecord, reason: String) async throws {
        let nodeID = step.id
        try await write { db in
            guard var node = try Self.current(step, db) else { return }
            if let stage = node.stage, let job = node.jobID {
                try Self.setTask(db, job: job, node: nodeID, stage: stage, state: .failed, message: reason)
                try TaskRecord.filter(Column("jobID") == job && Column("nodeID") == nodeID && Column("state") == TaskState.pending.rawValue)
                    .updateAll(db, Column("state").set(to: TaskState.skipped.rawValue))
            }
            node.state = .failed
            node.stage = nil
            node.reason = reason
            node.vmID = nil
            node.failedAt = Date()
            try node.update(db)
        }
    }

    /// Closes every running job none of whose nodes is still in one of its stages.
    /// A finished shutdown stops the service.
    func finishJobs() async throws -> [JobRecord] {
        try await write { db in
            var finished: [JobRecord] = []
            for var job in try JobRecord.filter(Column("state") == JobState.running.rawValue).fetchAll(db) {
                // A backup ends with its backup record; a restore has no node until its files are checked.
                if job.kind == .backup { continue }
                if job.kind == .restore, try RestoreRecord.fetchOne(db, key: job.id!)?.verified == false { continue }
                let busy = try NodeRecord.filter(Column("jobID") == job.id! && Column("stage") != nil).fetchCount(db)
                let promotion = try PromotionRecord.fetchOne(db, key: job.id!)
                guard busy == 0, promotion?.stage == nil else { continue }
                let failures = try TaskRecord.filter(Column("jobID") == job.id! && Column("state") == TaskState.failed.rawValue).fetchAll(db)
                job.state = failures.isEmpty ? .done : .failed
                job.message = failures.isEmpty ? nil : failures.map { "\($0.nodeID): \($0.message ?? "failed")" }.joined(separator: "; ")
                job.finishedAt = Date()
                try job.update(db)
                if job.kind == .shutdown, var service = try ServiceRecord.fetchOne(db) {
                    service.lifecycle = .stopped
                    try service.update(db)
                }
                finished.append(job)
            }
            return finished
        }
    }

    /// Records an agent's `register_node` report (or a probe's answer).
    func recordReport(nodeID: String, agentState: String, error: String?) async throws {
        let updated = try await updateNode(nodeID) { node in
            node.lastSeen = Date()
            node.agentState = agentState
            if agentState == "FAILED" { node.reason = error ?? "the agent reported a failure" }
        }
        guard updated != nil else { throw RPCError.invalidArgument("state", detail: "unknown node \(nodeID)") }
    }

    /// The stored node, if it is still in `step`'s job and stage.
    private static func current(_ step: NodeRecord, _ db: Database) throws -> NodeRecord? {
        guard let node = try NodeRecord.fetchOne(db, key: step.id), node.jobID == step.jobID, node.stage == step.stage else { return nil }
        return node
    }

    private static func setTask(_ db: Database, job: Int64, node: String, stage: Stage, state: TaskState, message: String? = nil, attempts: Int? = nil) throws {
        guard var task = try TaskRecord.filter(Column("jobID") == job && Column("nodeID") == node && Column("stage") == stage.rawValue).fetchOne(db) else { return }
        task.state = state
        if let message { task.message = message }
        if let attempts { task.attempts = attempts }
        switch state {
        case .running: task.startedAt = task.startedAt ?? Date()
        case .done, .failed, .skipped: task.finishedAt = Date()
        case .pending: task.finishedAt = nil
        }
        try task.update(db)
    }
}
