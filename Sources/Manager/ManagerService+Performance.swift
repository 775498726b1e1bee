import ConPaaSCore
import JSONRPC

extension ManagerService {
    /// Figures measured by the agents (each samples its node every second), asked
    /// in parallel: per node and summed over the service.
    ///
    /// - `request_rate`: queries per second over all nodes; `throughput`: the part
    ///   served by replicas; `error_rate`: aborted connections per second;
    ///   `response_time`: mean round trip of a trivial query, in milliseconds;
    ///   `connections`: open client connections.
    /// - per node: the same, plus `heartbeat_lag_seconds` (from the master's
    ///   heartbeat row; grows while replication is stopped), `seconds_behind_master`,
    ///   the IO/SQL thread states and the last replication error.
    func performance() async throws -> JSONValue {
        let snapshot = store.snapshot()
        let nodes = snapshot.liveNodes.filter { ($0.state == .running || $0.state == .failed) && $0.address != nil }
        let reports = await withTaskGroup(of: (NodeRecord, AgentStatus?, String?).self) { group in
            for node in nodes {
                group.addTask { [agents] in
                    do {
                        return (node, try await agents.status(at: node.address!), nil)
                    } catch {
                        return (node, nil, "\(error)")
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var perNode: [String: JSONValue] = [:]
        var totals = (queries: 0.0, replicaQueries: 0.0, errors: 0.0, connections: 0, responseTimes: [Double]())
        for (node, state, failure) in reports {
            guard let state else {
                perNode[node.id] = ["role": .string(node.role.rawValue), "error": .string(failure ?? "no answer")]
                continue
            }
            let figures = state.performance
            let replication = state.replication
            let queries = figures?.queriesPerSecond ?? 0
            totals.queries += queries
            if node.role == .slave { totals.replicaQueries += queries }
            totals.errors += figures?.errorsPerSecond ?? 0
            totals.connections += figures?.connections ?? 0
            if let time = figures?.responseTimeMs { totals.responseTimes.append(time) }
            if let lag = figures?.heartbeatLagSeconds { metrics.replicaLag(node: node.id, seconds: lag) }
            let errors = [replication?.lastIOError, replication?.lastSQLError].compactMap { $0 }.filter { !$0.isEmpty }
            let number = { (value: Double?) in value.map(JSONValue.double) ?? .null }
            perNode[node.id] = [
                "role": .string(node.role.rawValue),
                "state": .string(state.state),
                "queries_per_second": number(figures?.queriesPerSecond),
                "errors_per_second": number(figures?.errorsPerSecond),
                "connections": figures?.connections.map { .int($0) } ?? .null,
                "response_time_ms": number(figures?.responseTimeMs),
                "heartbeat_lag_seconds": number(figures?.heartbeatLagSeconds),
                "seconds_behind_master": replication?.secondsBehindMaster.map { .int($0) } ?? .null,
                "io_running": replication.map { .string($0.ioRunning) } ?? .null,
                "sql_running": replication.map { .string($0.sqlRunning) } ?? .null,
                "last_error": replication == nil ? .null : .string(errors.joined(separator: "; ")),
            ]
        }
        let meanResponse = totals.responseTimes.isEmpty ? JSONValue.null : .double(totals.responseTimes.reduce(0, +) / Double(totals.responseTimes.count))
        return [
            "request_rate": .double(totals.queries),
            "throughput": .double(totals.replicaQueries),
            "error_rate": .double(totals.errors),
            "response_time": meanResponse,
            "connections": .int(totals.connections),
            "nodes": .object(perNode),
        ]
    }
}
