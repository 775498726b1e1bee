import ConPaaSCore
import JSONRPC

extension ManagerRPCMethods {
    static func registerNodeMethods(_ methods: inout RPCMethods, service: ManagerService) {
        methods.registerForwarding("list_nodes", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly([])
            let live = service.store.snapshot().liveNodes
            let ids = { (nodes: [NodeRecord]) in JSONValue.array(nodes.map { .string($0.id) }) }
            return [
                "conpaas-mysql": ids(live),
                "masters": ids(live.filter { $0.role == .master }),
                "slaves": ids(live.filter { $0.role != .master }),
            ]
        }
        methods.registerForwarding("get_node_info", kind: .get, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId"])
            let id = try params.string("serviceNodeId")
            guard let node = try await service.store.node(id) else { throw RPCError.invalidArgument("serviceNodeId", detail: "unknown node \(id)") }
            return ["serviceNode": json(node, service: service)]
        }
        methods.registerForwarding("add_nodes", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["count", "function", "cloud"])
            let count: Int
            if let function = try params.optionalString("function"), params.values["count"] == nil {
                guard function == "agent" else { throw RPCError.invalidArgument("function", detail: "only \"agent\" nodes exist") }
                count = 1
            } else {
                count = try params.int("count")
            }
            guard count >= 1 else { throw RPCError.invalidArgument("count", detail: "must be at least 1") }
            let (job, nodes) = try await service.store.addNodes(count: count, maxNodes: service.configuration.maxNodes)
            service.worker.wake()
            service.logger.info("nodes requested", metadata: ["job.id": "\(job.id ?? 0)", "count": "\(count)"])
            return [
                "job": .int(Int(job.id ?? 0)),
                "nodes": .array(nodes.map { json($0, service: service) }),
            ]
        }
        methods.registerForwarding("remove_nodes", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["serviceNodeId", "count"])
            let ids: [String]?
            switch params.values["serviceNodeId"] {
            case .string(let id)?: ids = [id]
            case .array(let list)?:
                ids = try list.map { item in
                    guard let id = item.stringValue else { throw RPCError.invalidArgument("serviceNodeId", detail: "expected node ids") }
                    return id
                }
            case nil: ids = nil
            default: throw RPCError.invalidArgument("serviceNodeId", detail: "expected a node id")
            }
            let count = try params.optionalInt("count")
            guard (ids == nil) != (count == nil) else {
                throw ids == nil ? RPCError.missingArgument("serviceNodeId") : RPCError.unexpectedArguments(["count"])
            }
            if let count, count < 1 { throw RPCError.invalidArgument("count", detail: "must be at least 1") }
            if ids?.isEmpty == true { throw RPCError.invalidArgument("serviceNodeId", detail: "no node given") }
            do {
                let job = try await service.store.removeNodes(ids: ids, count: count)
                service.worker.wake()
                return ["job": .int(Int(job.id ?? 0))]
            } catch is MasterRemoval {
                // The master goes once a replica has taken over.
                let job = try await service.switchover(to: nil, then: .remove, jobKind: .removeNodes)
                return ["job": .int(Int(job.id ?? 0))]
            }
        }
        methods.registerForwarding("register_node", kind: .post, metrics: service.metrics) { params in
            try params.expectOnly(["state"])
            let state = try params.object("state")
            guard let id = state["id"]?.stringValue else { throw RPCError.invalidArgument("state", detail: "no node id") }
            guard let agentState = state["state"]?.stringValue else { throw RPCError.invalidArgument("state", detail: "no state") }
            try await service.store.recordReport(nodeID: id, agentState: agentState, error: state["error"]?.stringValue)
            if let status = try? JSONValue.object(state).decode(AgentStatus.self) { service.board.record(status, for: id) }
            if let lag = state["performance"]?["heartbeat_lag_seconds"]?.doubleValue {
                service.metrics.replicaLag(node: id, seconds: lag)
            }
            if ["FAILED", "RUNNING", AgentState.awaitingRestore.rawValue].contains(agentState) { service.worker.wake() }
            return ["result": "OK"]
        }
    }
}
