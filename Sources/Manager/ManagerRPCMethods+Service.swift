import ConPaaSCore
import JSONRPC

extension ManagerRPCMethods {
    static func registerServiceMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("get_service_info", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            let snapshot = try await service.store.snapshot()
            let live = snapshot.liveNodes
            let tasks = try await service.store.tasksByJob(snapshot.runningJobs.compactMap(\.id))
            let jobs = snapshot.runningJobs.map { json($0, tasks: tasks[$0.id!] ?? []) }
            return [
                "state": .string(ManagerService.state(of: snapshot).rawValue),
                "type": "conpaas-mysql",
                "nodes": .int(live.count),
                "nodes_by_state": .object(Dictionary(grouping: live, by: \.state.rawValue).mapValues { .int($0.count) }),
                "master": snapshot.master.map { .string($0.id) } ?? .null,
                "jobs": .array(jobs),
                "created_at": .string(snapshot.service.createdAt.formatted(.iso8601)),
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
