import ConPaaSCore
import JSONRPC

extension ManagerRPCMethods {
    static func registerServiceMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("get_service_info", kind: .get) { params in
            try params.expectOnly([])
            let snapshot = try await service.store.snapshot()
            let live = snapshot.liveNodes
            var jobs: [JSONValue] = []
            for job in snapshot.runningJobs {
                jobs.append(json(job, tasks: try await service.store.tasks(ofJob: job.id!)))
            }
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
        methods.registerForwarding("get_service_performance", kind: .get) { params in
            try params.expectOnly([])
            return try await service.performance()
        }
        methods.registerForwarding("getLog", kind: .get) { params in
            try params.expectOnly([])
            return ["log": .string(service.recentLog.text)]
        }
        methods.registerForwarding("shutdown", kind: .post) { params in
            try params.expectOnly([])
            let job = try await service.store.shutdown()
            service.worker.wake()
            service.logger.info("shutdown requested", metadata: ["job.id": "\(job.id ?? 0)"])
            return ["state": .string(ServiceState.epilogue.rawValue), "job": .int(Int(job.id ?? 0))]
        }
    }
}
