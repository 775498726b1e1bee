import ConPaaSCore
import Foundation
import JSONRPC

extension ManagerRPCMethods {
    /// `switchover`, `failover` and `replace_node`: each answers `{"job": N}` at once.
    static func registerHAMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("switchover", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId"])
            let job = try await service.switchover(to: try params.optionalString("serviceNodeId"), then: .demote, jobKind: .switchover)
            return ["job": .int(Int(job.id ?? 0))]
        }
        methods.registerForwarding("failover", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly([])
            let snapshot = service.store.snapshot()
            guard let master = snapshot.master else { throw RPCError.failed("the service has no master") }
            let silence = service.board.silence(of: master)
            if master.state == .running, silence < service.configuration.failover.failoverAfter {
                throw RPCError.failed("master \(master.id) is healthy; use switchover")
            }
            let replicas = snapshot.liveNodes.filter { $0.role != .master && $0.state == .running }.count
            let reason = "requested by a call (\(master.id) \(master.state.rawValue), silent for \(String(format: "%.1f", silence.inSeconds)) s)"
            let job = try await service.store.startPromotion(service.board.failoverRequest(
                master: master, replicas: replicas, automatic: false, reason: reason, heal: service.configuration.failover.heal))
            service.worker.wake()
            service.logger.notice("failover requested", metadata: ["job.id": "\(job.id ?? 0)"])
            return ["job": .int(Int(job.id ?? 0))]
        }
        methods.registerForwarding("replace_node", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId"])
            let id = try params.string("serviceNodeId")
            let snapshot = service.store.snapshot()
            guard let node = snapshot.node(id), node.state.isLive else { throw RPCError.invalidArgument("serviceNodeId", detail: "unknown node \(id)") }
            let job: JobRecord
            if node.id == snapshot.master?.id {
                job = try await service.switchover(to: nil, then: .replace, jobKind: .replaceNode)
            } else {
                job = try await service.store.replaceReplica(id)
                service.worker.wake()
            }
            return ["job": .int(Int(job.id ?? 0))]
        }
    }

    /// A promotion job as `get_job` shows it.
    static func json(_ promotion: PromotionRecord) -> JSONValue {
        [
            "kind": .string(promotion.kind.rawValue), "automatic": .bool(promotion.automatic),
            "from": .string(promotion.fromNode), "to": promotion.toNode.map(JSONValue.string) ?? .null,
            "epoch": promotion.epoch.map { .int($0) } ?? .null, "reason": promotion.reason.map(JSONValue.string) ?? .null,
            "old_master_gtid": promotion.oldMasterGTID.map(JSONValue.string) ?? .null,
            "promoted_gtid": promotion.promotedGTID.map(JSONValue.string) ?? .null,
            "lost_gtids": promotion.lostGTIDs.map(JSONValue.string) ?? .null,
            "semi_sync_before": promotion.semiSyncBefore.map(JSONValue.string) ?? .null,
            "write_unavailable_ms": promotion.writeUnavailableMilliseconds.map { .int($0) } ?? .null,
            "failure": promotion.failure.map(JSONValue.string) ?? .null,
        ]
    }
}

extension ManagerService {
    /// Starts a switchover to `target` (nil: the most advanced healthy replica);
    /// `afterwards` says what becomes of the old master.
    func switchover(to target: String?, then afterwards: PromotionRecord.Afterwards, jobKind: JobKind) async throws -> JobRecord {
        let job = try await store.startPromotion(ManagerStore.PromotionRequest(
            kind: .switchover, jobKind: jobKind, target: target, afterwards: afterwards, reason: "requested by a call"))
        worker.wake()
        logger.notice("switchover requested", metadata: ["job.id": "\(job.id ?? 0)", "target": "\(target ?? "most advanced replica")"])
        return job
    }

    /// Waits until job `id` ends (at most `timeout`); answers it.
    func waitForJob(_ id: Int64, timeout: Duration = .seconds(300)) async throws -> JobRecord {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let job = try await store.job(id), job.state != .running { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw RPCError.failed("job \(id) did not end within \(timeout); follow it with get_job")
    }
}
