import ConPaaSCore
import JSONRPC

extension ManagerRPCMethods {
    static func registerServiceMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("get_service_info", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            let snapshot = service.store.snapshot()
            let live = snapshot.liveNodes
            let jobs = snapshot.runningJobs.map { json($0, tasks: snapshot.runningTasks[$0.id!] ?? []) }
            let replicas = live.filter { $0.role != .master && $0.state == .running }.count
            let semiSync = PromotionPlanner.semiSyncState(master: snapshot.master.flatMap { service.board.status(of: $0.id) }, runningReplicas: replicas)
            let lastFailover = snapshot.service.lastFailover.flatMap { try? JSONValue(parsing: $0) } ?? .null
            return [
                "state": .string(ManagerService.state(of: snapshot).rawValue),
                "writable": .bool(snapshot.noWriterReason == nil && snapshot.writableMaster != nil),
                "reason": snapshot.noWriterReason.map(JSONValue.string) ?? .null,
                "epoch": .int(snapshot.service.epoch),
                "semi_sync": .string(semiSync),
                "auto_failover": .bool(service.configuration.failover.automatic),
                "failover_hold_until": snapshot.service.failoverHoldUntil.map { .string($0.iso8601) } ?? .null,
                "last_failover": lastFailover,
                "endpoints": service.endpoints.map { ["writer": .string($0.addresses.writer), "reader": .string($0.addresses.reader)] } ?? .null,
                "type": "conpaas-mysql",
                "nodes": .int(live.count),
                "nodes_by_state": .object(Dictionary(grouping: live, by: \.state.rawValue).mapValues { .int($0.count) }),
                "master": snapshot.master.map { .string($0.id) } ?? .null,
                "jobs": .array(jobs),
                "created_at": .string(snapshot.service.createdAt.iso8601),
            ]
        }
        methods.registerForwarding("get_service_performance", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            return try await service.performance()
        }
        methods.registerForwarding("getLog", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            return ["log": .string(service.recentLog.text)]
        }
        methods.registerForwarding("shutdown", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly([])
            let job = try await service.store.shutdown()
            service.worker.wake()
            service.logger.info("shutdown requested", metadata: ["job.id": "\(job.id ?? 0)"])
            return ["state": .string(ServiceState.epilogue.rawValue), "job": .int(Int(job.id ?? 0))]
        }
    }
}
