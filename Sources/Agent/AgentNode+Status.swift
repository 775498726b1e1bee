import ConPaaSCore
import JSONRPC

extension AgentNode {
    /// The agent's status object: `get_server_state`'s `return` and `register_node`'s `state`.
    func statusReport() async -> [String: JSONValue] {
        let state = supervisor.agentState
        var report: [String: JSONValue] = [
            "id": .string(configuration.nodeID ?? configuration.address),
            "name": "conpaas-mysql-agent",
            "state": .string(state.rawValue),
            "ip": .string(configuration.address),
            "port": .int(configuration.port),
            "mysqld_port": .int(configuration.mysqlPort),
            "role": .string(role.rawValue),
            "server_id": .int(Int(serverID)),
            "restarts": .int(supervisor.crashes),
            "last_exit": supervisor.lastExit.map(JSONValue.string) ?? .null,
            "pid": supervisor.pid.map { .int(Int($0)) } ?? .null,
        ]
        guard state == .running else { return report }
        let figures = sampler.figures
        report["performance"] = [
            "queries_per_second": figures.queriesPerSecond.map(JSONValue.double) ?? .null,
            "errors_per_second": figures.errorsPerSecond.map(JSONValue.double) ?? .null,
            "connections": figures.connections.map { .int($0) } ?? .null,
            "response_time_ms": figures.responseTimeMilliseconds.map(JSONValue.double) ?? .null,
            "heartbeat_lag_seconds": figures.heartbeatLagSeconds.map(JSONValue.double) ?? .null,
        ]
        do {
            if let replica = try await replication.replicaStatus() {
                report["replication"] = [
                    "master_host": .string(replica.masterHost),
                    "io_running": .string(replica.ioRunning),
                    "sql_running": .string(replica.sqlRunning),
                    "seconds_behind_master": replica.secondsBehindMaster.map { .int($0) } ?? .null,
                    "last_io_error": .string(replica.lastIOError),
                    "last_sql_error": .string(replica.lastSQLError),
                    "using_gtid": .string(replica.usingGTID),
                    "gtid_io_pos": .string(replica.gtidIOPosition),
                ]
            }
            let variables = try await database.withConnection { connection in
                try await connection.query("SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.gtid_current_pos AS gtid").first
            }
            report["read_only"] = .bool(variables?["ro"] == "1")
            report["gtid_current_pos"] = .string(variables?["gtid"] ?? "")
        } catch {
            report["status_error"] = .string("\(error)")
        }
        return report
    }
}
