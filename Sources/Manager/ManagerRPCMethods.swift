import ConPaaSCore
import Foundation
import JSONRPC

/// The manager's methods of PROTOCOL.md ("Manager methods"), plus `get_job`,
/// `list_jobs` (newest first, `limit` and `before` page through the history),
/// `switchover`, `failover` and `replace_node`.
enum ManagerRPCMethods {
    static func make(for service: ManagerService) -> RPCMethods {
        var methods = RPCMethods()
        registerNodeMethods(&methods, service: service)
        registerJobMethods(&methods, service: service)
        registerServiceMethods(&methods, service: service)
        registerDatabaseMethods(&methods, service: service)
        registerHAMethods(&methods, service: service)
        return methods
    }

    /// A node as `get_node_info` and `add_nodes` show it.
    static func json(_ node: NodeRecord, service: ManagerService) -> JSONValue {
        [
            "id": .string(node.id),
            "ip": node.address.map(JSONValue.string) ?? .null,
            "port": .int(service.configuration.agentPort),
            "mysqld_port": 3306,
            "name": .string(service.worker.context.vmName(for: node.id)),
            "vm_id": node.vmID.map(JSONValue.string) ?? .null,
            "state": .string(node.state.rawValue),
            "role": .string(node.role == .master ? "master" : "slave"),
            "isMaster": .bool(node.role == .master),
            "isSlave": .bool(node.role != .master),
            "isRunningMySQL": .bool(node.state == .running),
            "server_id": .int(node.serverID),
            "stage": node.stage.map { .string($0.rawValue) } ?? .null,
            "reason": node.reason.map(JSONValue.string) ?? .null,
        ]
    }

    /// A job with its plan, as `get_job` and `list_jobs` show it.
    static func json(_ job: JobRecord, tasks: [TaskRecord]) -> JSONValue {
        let done = tasks.filter { $0.state == .done || $0.state == .skipped }.count
        return [
            "id": .int(Int(job.id ?? 0)),
            "kind": .string(job.kind.rawValue),
            "state": .string(job.state.rawValue),
            "message": job.message.map(JSONValue.string) ?? .null,
            "created_at": .string(job.createdAt.iso8601),
            "finished_at": job.finishedAt.map { .string($0.iso8601) } ?? .null,
            "progress": ["done": .int(done), "total": .int(tasks.count)],
            "tasks": .array(tasks.map { task in
                [
                    "node": .string(task.nodeID), "stage": .string(task.stage.rawValue), "state": .string(task.state.rawValue),
                    "attempts": .int(task.attempts), "message": task.message.map(JSONValue.string) ?? .null,
                    "started_at": task.startedAt.map { .string($0.iso8601) } ?? .null,
                    "finished_at": task.finishedAt.map { .string($0.iso8601) } ?? .null,
                ]
            }),
        ]
    }

    /// How many jobs one `list_jobs` page may hold, and how many it holds when not told.
    static let jobPageSizes = 1...1000
    static let defaultJobPage = 50

    private static func registerJobMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("get_job", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly(["id"])
            let id = try params.int("id")
            guard let job = try await service.store.job(Int64(id)) else {
                throw RPCError.invalidArgument("id", detail: "unknown job \(id)")
            }
            var answer = json(job, tasks: try await service.store.tasks(ofJob: Int64(id)))
            if case .object(var members) = answer, let promotion = try await service.store.promotion(job: Int64(id)) {
                members["promotion"] = json(promotion)
                answer = .object(members)
            }
            return answer
        }
        methods.registerForwarding("list_jobs", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly(["limit", "before"])
            let limit = try params.optionalInt("limit") ?? defaultJobPage
            guard jobPageSizes.contains(limit) else {
                throw RPCError.invalidArgument("limit", detail: "must be from \(jobPageSizes.lowerBound) to \(jobPageSizes.upperBound)")
            }
            let before = try params.optionalInt("before")
            if let before, before < 1 { throw RPCError.invalidArgument("before", detail: "must be a job id (at least 1)") }
            let page = try await service.store.jobs(limit: limit, before: before.map(Int64.init))
            return [
                "jobs": .array(page.jobs.map { json($0.job, tasks: $0.tasks) }),
                "next_before": page.nextBefore.map { .int(Int($0)) } ?? .null,
            ]
        }
    }
}

extension RPCMethods {
    /// Registers a manager method whose failures reaching agents or the cloud
    /// reach the caller as their message (instead of "Unknown error."), and
    /// whose calls are counted and timed in `metrics`.
    mutating func registerForwarding(_ name: String, kind: RPCMethodKind, metrics: ManagerMetrics, _ handler: @escaping Handler) {
        register(name, kind: kind) { params in
            let started = ContinuousClock.now
            do {
                let result = try await handler(params)
                metrics.rpcCall(method: name, outcome: "ok", duration: ContinuousClock.now - started)
                return result
            } catch {
                metrics.rpcCall(method: name, outcome: "error", duration: ContinuousClock.now - started)
                switch error {
                case let error as RPCClientError: throw RPCError.failed("cannot reach the agent: \(error)")
                case let error as CloudError: throw RPCError.failed("\(error)")
                default: throw error
                }
            }
        }
    }
}
