import ConPaaSCore
import Foundation

/// The decisions of high availability, as pure functions of what was recorded
/// and observed: is the master dead, who takes over, what the monitor must
/// repair. The I/O stays in ``HealthMonitor`` and ``ProvisioningWorker``.
struct PromotionPlanner: Sendable {
    let policy: FailoverPolicy

    /// What the monitor concludes about the master.
    enum MasterVerdict: Sendable, Equatable {
        case healthy
        /// Silent, but not for long enough, or something still hears it.
        case suspect(String)
        /// Silent for long enough and confirmed: fail over.
        case dead(String)
    }

    /// The master is dead when it has not answered (agent and mariadbd) for
    /// `failoverAfter` **and** either the cloud reports its VM gone or failed
    /// (`vm` nil: absent from the cloud's list) or every replica that answered
    /// and replicates from it lost it too (one that replicates from elsewhere,
    /// or from nothing, knows nothing of it). `cloudChecked` is false when the
    /// cloud was not asked.
    func verdict(master: NodeRecord, silentFor: Duration, vm: VMInfo?, cloudChecked: Bool, replicas: [AgentStatus]) -> MasterVerdict {
        guard silentFor > .zero else { return .healthy }
        let silence = "\(master.id) has not answered for \(String(format: "%.1f", silentFor.inSeconds)) s"
        guard silentFor >= policy.failoverAfter else { return .suspect(silence) }
        if cloudChecked {
            switch vm?.status {
            case nil: return .dead("\(silence) and its VM is gone from the cloud")
            case .failed?: return .dead("\(silence) and the cloud reports its VM failed\(vm?.reason.map { ": \($0)" } ?? "")")
            case .terminated?, .stopping?: return .dead("\(silence) and the cloud reports its VM \(vm!.status.rawValue)")
            default: break
            }
        }
        let witnesses = replicas.filter { master.address != nil && $0.replication?.masterHost == master.address }
        if let hearing = witnesses.first(where: { $0.replication?.ioRunning == "Yes" }) {
            return .suspect("\(silence), but \(hearing.id) still replicates from it")
        }
        guard !witnesses.isEmpty else { return .suspect("\(silence), and no replica of it answers to confirm it") }
        return .dead("\(silence) and every replica lost it (\(witnesses.map(\.id).joined(separator: ", ")))")
    }

    /// Whether the monitor starts a failover on its own now.
    func startsAutomaticFailover(verdict: MasterVerdict, holdUntil: Date?, promotionUnderway: Bool, now: Date) -> Bool {
        guard policy.automatic, case .dead = verdict, !promotionUnderway else { return false }
        return holdUntil.map { now >= $0 } ?? true
    }

    /// A replica the election may choose.
    struct Candidate: Sendable {
        var node: String
        /// Its status now; nil when its agent did not answer.
        var status: AgentStatus?
    }

    /// Who takes over. Never a replica with a replication error or one that
    /// does not answer; among the rest, the highest received GTID
    /// (`Gtid_IO_Pos`: it may hold acknowledged writes the others lack); a
    /// replica that is not current (SQL thread stopped, lag over `maxLag`) only
    /// when no current one received as much. `requested` (a switchover's target)
    /// must itself qualify and be current.
    func elect(among candidates: [Candidate], requested: String?, maxLag: Duration) -> Result<String, ElectionFailure> {
        var refusals: [String] = []
        var eligible: [(node: String, received: GTIDPosition, current: Bool, lag: Double)] = []
        for candidate in candidates {
            guard let status = candidate.status, status.state == AgentState.running.rawValue else {
                refusals.append("\(candidate.node) does not answer")
                continue
            }
            guard let replication = status.replication else {
                refusals.append("\(candidate.node) replicates from nobody")
                continue
            }
            guard replication.lastSQLError.isEmpty else {
                refusals.append("\(candidate.node) has a replication error: \(replication.lastSQLError)")
                continue
            }
            let received = GTIDPosition(replication.gtidIOPos) ?? GTIDPosition("")!
            let lag = status.performance?.heartbeatLagSeconds ?? 0
            let current = replication.sqlRunning == "Yes" && lag <= maxLag.inSeconds
            if !current {
                refusals.append("\(candidate.node) is not current (SQL thread \(replication.sqlRunning), lag \(String(format: "%.1f", lag)) s)")
            }
            eligible.append((candidate.node, received, current, lag))
        }
        if let requested {
            guard let chosen = eligible.first(where: { $0.node == requested }), chosen.current else {
                return .failure(ElectionFailure(reasons: refusals.filter { $0.hasPrefix("\(requested) ") }.ifEmpty(["\(requested) cannot take over"])))
            }
            return .success(chosen.node)
        }
        let usable = eligible.filter { candidate in
            candidate.current || !eligible.contains { $0.current && $0.received.contains(candidate.received) }
        }
        guard let best = usable.max(by: { a, b in
            (a.received.weight, a.current ? 1 : 0, -a.lag) < (b.received.weight, b.current ? 1 : 0, -b.lag)
        }) else {
            return .failure(ElectionFailure(reasons: refusals.ifEmpty(["no replica to choose from"])))
        }
        return .success(best.node)
    }

    /// Why no replica was chosen.
    struct ElectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
        var reasons: [String]
        var description: String { "no replica can take over: \(reasons.joined(separator: "; "))" }
    }

    /// `get_service_info`'s `semi_sync`: "n/a" without a running replica,
    /// "on" when the master waits for acknowledgements, else "off".
    static func semiSyncState(master: AgentStatus?, runningReplicas: Int) -> String {
        guard runningReplicas > 0 else { return "n/a" }
        return master?.semiSync?.masterActive == true ? "on" : "off"
    }

    /// Replicas FAILED (after having run: they own a VM) for longer than `replaceAfter`.
    func replicasToReplace(_ nodes: [NodeRecord], now: Date) -> [NodeRecord] {
        guard policy.heal else { return [] }
        return nodes.filter { node in
            node.role != .master && node.state == .failed && node.stage == nil && node.vmID != nil
                && now.timeIntervalSince(node.failedAt ?? now) >= policy.replaceAfter.inSeconds
        }
    }

    /// A repair the monitor makes so that records and nodes agree on who writes.
    enum Repair: Sendable, Equatable {
        /// A node that is not the master accepts writes: make it read-only.
        case fence(node: String)
        /// The master is read-only (restarted) or its semi-sync setting is wrong: set it up again.
        case restoreMaster(node: String, semiSync: Bool)
        /// A read-only replica that does not replicate from the master (a repoint that failed
        /// while its mariadbd restarted, a lost role): point it at the master, demoting it first
        /// when it still calls itself master.
        case follow(node: String, demote: Bool)

        /// The node it repairs.
        var node: String {
            switch self {
            case .fence(let node), .restoreMaster(let node, _), .follow(let node, _): node
            }
        }
    }

    /// The repairs for the nodes' statuses, outside switchovers and failovers.
    static func repairs(nodes: [NodeRecord], statuses: [String: AgentStatus]) -> [Repair] {
        let master = nodes.first { $0.role == .master && $0.state == .running && $0.stage == nil }
        let runningReplicas = nodes.filter { $0.role != .master && $0.state == .running && $0.stage == nil }.count
        var repairs: [Repair] = []
        for node in nodes where node.stage == nil && node.state == .running {
            guard let status = statuses[node.id], status.state == AgentState.running.rawValue, let readOnly = status.readOnly else { continue }
            if node.id == master?.id {
                let semiSync = runningReplicas > 0
                if readOnly || status.role != .master || status.semiSync?.masterEnabled != semiSync {
                    repairs.append(.restoreMaster(node: node.id, semiSync: semiSync))
                }
            } else if !readOnly, node.role != .master {
                repairs.append(.fence(node: node.id))
            } else if node.role != .master, let masterAddress = master?.address,
                status.role != .slave || status.replication?.masterHost != masterAddress
            {
                repairs.append(.follow(node: node.id, demote: status.role == .master))
            }
        }
        return repairs
    }
}

extension Array {
    /// The array, or `fallback` when it is empty.
    func ifEmpty(_ fallback: [Element]) -> [Element] { isEmpty ? fallback : self }
}
