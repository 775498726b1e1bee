import ConPaaSCore
import Foundation
import Logging
import ServiceLifecycle

/// Probes every serving node each `probeInterval` (agent and mariadbd, through
/// `get_server_state`) and acts on what it sees: a node silent for
/// `healthTimeout` is FAILED (and RUNNING again when it answers); a dead master
/// is failed over (``PromotionPlanner/verdict(master:silentFor:vm:cloudChecked:replicas:)``);
/// a replica FAILED for too long is replaced; a node whose read-only state
/// disagrees with the records is repaired.
struct HealthMonitor: Service, CustomStringConvertible {
    let store: ManagerStore
    let agents: AgentDirectory
    let cloud: any CloudDriver
    let context: VMContextTemplate
    let board: StatusBoard
    let worker: ProvisioningWorker
    let policy: ProvisioningPolicy
    let planner: PromotionPlanner
    let metrics: ManagerMetrics
    let logger: Logger

    /// Its name in the service group's logs (the fields hold the service secret).
    var description: String { "HealthMonitor" }

    /// Repairs run beside the rounds (one may wait up to a minute on a slow agent), one per node at a time.
    private let repairsUnderWay = NodeClaims()
    /// Why the last round could not fail over a dead master: said once, not every second.
    private let blockedFailover = LastMessage()

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { repairs in
                while !Task.isCancelled {
                    do {
                        try await round(repairs: &repairs)
                    } catch {
                        logger.error("health round failed: \(error)")
                    }
                    try? await Task.sleep(for: planner.policy.probeInterval)
                }
                repairs.cancelAll()
            }
        }
    }

    private func round(repairs: inout DiscardingTaskGroup) async throws {
        let snapshot = store.snapshot()
        let watched = snapshot.liveNodes.filter { $0.stage == nil && $0.vmID != nil && ($0.state == .running || $0.state == .failed) }
        var answers: [String: AgentStatus] = [:]
        for (node, status, failure) in await probe(watched) {
            if let status {
                answers[node.id] = status
                await recordAnswer(status, from: node)
            } else {
                await recordSilence(of: node, failure: failure ?? "no answer")
            }
        }
        let current = store.snapshot()
        let master = current.master
        let replicas = current.liveNodes.filter { $0.role != .master && $0.state == .running && $0.stage == nil }
        metrics.semiSync(PromotionPlanner.semiSyncState(master: master.flatMap { answers[$0.id] }, runningReplicas: replicas.count))
        guard current.service.lifecycle == .active, current.promotions.isEmpty else { return }
        if let master, master.stage == nil { try await watch(master, replicas: replicas.compactMap { answers[$0.id] }, service: current.service) }
        // A failover the watch just started repoints the replicas itself.
        let now = store.snapshot()
        guard now.promotions.isEmpty else { return }
        repair(now, answers: answers, in: &repairs)
        for node in planner.replicasToReplace(current.liveNodes, now: Date()) {
            let job = try await store.replaceReplica(node.id)
            logger.warning("replacing a replica FAILED for too long", metadata: ["node.id": "\(node.id)", "job.id": "\(job.id ?? 0)"])
            worker.wake()
        }
    }

    /// Every node's status, asked in parallel.
    private func probe(_ nodes: [NodeRecord]) async -> [(NodeRecord, AgentStatus?, String?)] {
        await withTaskGroup(of: (NodeRecord, AgentStatus?, String?).self) { group in
            for node in nodes {
                guard let address = node.address else { continue }
                group.addTask { [agents] in
                    do {
                        return (node, try await agents.status(at: address, timeout: .seconds(2)), nil)
                    } catch {
                        return (node, nil, "\(error)")
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    private func recordAnswer(_ status: AgentStatus, from node: NodeRecord) async {
        board.record(status, for: node.id)
        let stale = Date().timeIntervalSince(node.lastSeen ?? .distantPast) > 2
        if stale || node.agentState != status.state {
            try? await store.recordReport(nodeID: node.id, agentState: status.state, error: status.error)
        }
        guard node.state == .failed, status.state == AgentState.running.rawValue else { return }
        let back = try? await store.updateNode(node.id) { node in
            guard node.state == .failed, node.stage == nil, node.vmID != nil else { return }
            node.state = .running
            node.reason = nil
            node.failedAt = nil
        }
        if back?.state == .running { logger.info("node is answering again", metadata: ["node.id": "\(node.id)"]) }
    }

    private func recordSilence(of node: NodeRecord, failure: String) async {
        let silence = Date().timeIntervalSince(node.lastSeen ?? .distantPast)
        guard node.state == .running, silence > policy.healthTimeout.inSeconds, let address = node.address else { return }
        let reason = "the agent at \(address) stopped answering (last heard \(Int(silence)) s ago): \(failure)"
        // Only a node still running and in no job: it may have been removed while the probe ran.
        _ = try? await store.updateNode(node.id) { node in
            guard node.state == .running, node.stage == nil else { return }
            node.state = .failed
            node.reason = reason
            node.failedAt = Date()
        }
        logger.error("node failed", metadata: ["node.id": "\(node.id)", "reason": "\(reason)"])
    }

    /// Puts right a node that writes without being the master, a master that cannot write, or a
    /// replica that does not follow the master. Each repair runs in `group`, beside the next
    /// rounds (which go on probing and watching the master); a node whose repair is still
    /// under way gets no second one.
    private func repair(_ snapshot: ServiceSnapshot, answers: [String: AgentStatus], in group: inout DiscardingTaskGroup) {
        let epoch = snapshot.service.epoch
        for repair in PromotionPlanner.repairs(nodes: snapshot.liveNodes, statuses: answers) where repairsUnderWay.claim(repair.node) {
            group.addTask {
                await self.perform(repair, snapshot: snapshot, epoch: epoch)
                self.repairsUnderWay.release(repair.node)
            }
        }
    }

    private func perform(_ repair: PromotionPlanner.Repair, snapshot: ServiceSnapshot, epoch: Int) async {
        switch repair {
        case .fence(let id):
            guard let address = snapshot.node(id)?.address else { return }
            logger.warning("a node that is not the master accepts writes: making it read-only", metadata: ["node.id": "\(id)"])
            _ = try? await agents.client(for: address, timeout: .seconds(5)).call("fence", params: ["epoch": .int(epoch)])
        case .restoreMaster(let id, let semiSync):
            guard let address = snapshot.node(id)?.address else { return }
            logger.info("setting the master up again", metadata: ["node.id": "\(id)", "semi_sync": "\(semiSync)"])
            _ = try? await agents.client(for: address, timeout: .seconds(10))
                .call("set_up_replica_master", params: ["epoch": .int(epoch), "semi_sync": .bool(semiSync)])
        case .follow(let id, let demote):
            guard let address = snapshot.node(id)?.address, let masterAddress = snapshot.master?.address else { return }
            logger.warning("a replica does not replicate from the master: pointing it at the master", metadata: ["node.id": "\(id)"])
            do {
                try await agents.followMaster(at: address, masterHost: masterAddress, epoch: epoch, demote: demote)
            } catch {
                logger.error("could not point the replica at the master: \(error)", metadata: ["node.id": "\(id)"])
            }
        }
    }

    /// Starts a failover when the master is dead and nothing holds it back.
    private func watch(_ master: NodeRecord, replicas: [AgentStatus], service: ServiceRecord) async throws {
        let silence = board.silence(of: master)
        guard silence >= planner.policy.failoverAfter else { return }
        let name = context.vmName(for: master.id)
        let listed = try? await cloud.listVMs(namePrefix: name)
        let vm = listed?.first { $0.name == name && $0.status != .terminated && (master.vmID == nil || $0.id == master.vmID) }
        let verdict = planner.verdict(master: master, silentFor: silence, vm: vm, cloudChecked: listed != nil, replicas: replicas)
        guard planner.startsAutomaticFailover(verdict: verdict, holdUntil: service.failoverHoldUntil, promotionUnderway: false, now: Date()),
            case .dead(let reason) = verdict
        else {
            if case .suspect(let why) = verdict { logger.warning("master suspect: \(why)") }
            return
        }
        let candidates = replicas.map { PromotionPlanner.Candidate(node: $0.id, status: $0) }
        if case .failure(let failure) = planner.elect(among: candidates, requested: nil, maxLag: planner.policy.switchoverMaxLag) {
            let message = "the master is dead, but \(failure); no failover until one can"
            if blockedFailover.changed(to: message) { logger.error("\(message)", metadata: ["node.id": "\(master.id)", "reason": "\(reason)"]) }
            return
        }
        _ = blockedFailover.changed(to: nil)
        logger.critical("the master is dead: failing over", metadata: ["node.id": "\(master.id)", "reason": "\(reason)"])
        do {
            let job = try await store.startPromotion(
                board.failoverRequest(master: master, replicas: replicas.count, automatic: true, reason: reason, heal: planner.policy.heal))
            logger.notice("failover started", metadata: ["job.id": "\(job.id ?? 0)"])
            worker.wake()
        } catch {
            logger.error("cannot start a failover: \(error)")
        }
    }
}

extension StatusBoard {
    /// A failover of `master` as the board last saw it.
    func failoverRequest(master: NodeRecord, replicas: Int, automatic: Bool, reason: String, heal: Bool) -> ManagerStore.PromotionRequest {
        let last = status(of: master.id)
        return ManagerStore.PromotionRequest(
            kind: .failover, jobKind: .failover, automatic: automatic, target: nil, afterwards: heal ? .replace : .terminate,
            reason: reason, masterLastSeen: lastHealthy(master), oldMasterGTID: last?.gtidBinlogPos,
            semiSyncBefore: PromotionPlanner.semiSyncState(master: last, runningReplicas: replicas))
    }
}
