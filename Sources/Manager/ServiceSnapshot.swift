import ConPaaSCore
import Foundation
import GRDB

/// The service's current state at one moment: the service row, its live nodes
/// (not TERMINATED), its running jobs with their plans and its promotions under
/// way. History (finished jobs, terminated nodes) is not in it: ask
/// ``ManagerStore`` for that.
struct ServiceSnapshot: Sendable {
    var service: ServiceRecord
    /// Nodes that are part of the service (not terminated), by number.
    var liveNodes: [NodeRecord]
    /// Jobs not finished yet, by id.
    var runningJobs: [JobRecord]
    /// Switchovers and failovers under way.
    var promotions: [PromotionRecord]
    /// The tasks of the running jobs, by job, in plan order.
    var runningTasks: [Int64: [TaskRecord]] = [:]

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

    /// The number of nodes in each state, TERMINATED included: nodes are never
    /// deleted, so every number the service handed out is a node.
    var nodeCounts: [NodeState: Int] {
        var counts = Dictionary(grouping: liveNodes, by: \.state).mapValues(\.count)
        counts[.terminated] = service.nextNodeNumber - 1 - liveNodes.count
        return counts
    }

    /// A live node by id (``ManagerStore/node(_:)`` also finds terminated ones).
    func node(_ id: String) -> NodeRecord? { liveNodes.first { $0.id == id } }
}

extension ServiceSnapshot {
    /// Reads the current state with queries that touch only live rows (the
    /// "v5: live-state indexes" migration's indexes), however long the history.
    init(_ db: Database) throws {
        let jobs = try JobRecord.filter(Column("state") == JobState.running.rawValue).order(Column("id")).fetchAll(db)
        let tasks = try TaskRecord.filter(jobs.compactMap(\.id).contains(Column("jobID"))).order(Column("id")).fetchAll(db)
        self.init(
            service: try ServiceRecord.fetchOne(db)!,
            liveNodes: try NodeRecord.live.order(Column("number")).fetchAll(db),
            runningJobs: jobs,
            promotions: try PromotionRecord.underWay.fetchAll(db),
            runningTasks: Dictionary(grouping: tasks, by: \.jobID))
    }
}

extension NodeRecord {
    /// The nodes that are not TERMINATED, as a query the state index answers.
    static var live: QueryInterfaceRequest<NodeRecord> {
        filter(NodeState.allCases.filter(\.isLive).map(\.rawValue).contains(Column("state")))
    }
}

extension PromotionRecord {
    /// The switchovers and failovers under way (a stage recorded), as a query the stage index answers.
    static var underWay: QueryInterfaceRequest<PromotionRecord> {
        filter(Stage.promotion.map(\.rawValue).contains(Column("stage")))
    }
}
