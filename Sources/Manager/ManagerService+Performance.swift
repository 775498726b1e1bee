import ConPaaSCore
import JSONRPC

extension ManagerService {
    /// Replication figures of every running node, asked from the agents in parallel.
    func performance() async throws -> JSONValue {
        let snapshot = try await store.snapshot()
        let nodes = snapshot.liveNodes.filter { $0.state == .running && $0.address != nil }
        let reports = await withTaskGroup(of: (String, JSONValue).self) { group in
            for node in nodes {
                group.addTask { [agents] in
                    do {
                        let state = try await agents.serverState(at: node.address!)
                        let replication = state["replication"]
                        return (node.id, [
                            "role": .string(node.role.rawValue),
                            "state": state["state"] ?? .null,
                            "seconds_behind_master": replication?["seconds_behind_master"] ?? .null,
                            "io_running": replication?["io_running"] ?? .null,
                            "sql_running": replication?["sql_running"] ?? .null,
                            "last_error": replication.map { .string([$0["last_io_error"]?.stringValue, $0["last_sql_error"]?.stringValue].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")) } ?? .null,
                        ])
                    } catch {
                        return (node.id, ["role": .string(node.role.rawValue), "error": .string("\(error)")])
                    }
                }
            }
            var all: [String: JSONValue] = [:]
            for await (id, report) in group { all[id] = report }
            return all
        }
        return ["nodes": .object(reports)]
    }
}
