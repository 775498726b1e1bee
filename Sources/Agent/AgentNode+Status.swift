import ConPaaSCore
import JSONRPC

extension AgentNode {
    /// The agent's status: `get_server_state`'s `return` and `register_node`'s `state`.
    func status() async -> AgentStatus {
        let state = awaitsRestore ? .awaitingRestore : supervisor.agentState
        let persistent = store.value
        var status = AgentStatus(
            id: configuration.nodeID ?? configuration.address, state: state.rawValue, ip: configuration.address,
            port: configuration.port, mysqldPort: configuration.mysqlPort, role: persistent.role, serverID: Int(serverID))
        status.restarts = supervisor.crashes
        status.lastExit = supervisor.lastExit
        status.pid = supervisor.pid.map(Int.init)
        status.epoch = persistent.epoch ?? 0
        guard state == .running else { return status }
        let figures = sampler.figures
        status.performance = AgentStatus.Performance(
            queriesPerSecond: figures.queriesPerSecond, errorsPerSecond: figures.errorsPerSecond, connections: figures.connections,
            responseTimeMs: figures.responseTimeMilliseconds, heartbeatLagSeconds: nil)
        do {
            status.replication = try await replication.replicaStatus()
            try await database.withConnection { connection in
                // Measured now, not by the last sample: a figure kept from an earlier sample would hide a replica falling behind.
                if persistent.role == .slave { status.performance?.heartbeatLagSeconds = try await Heartbeat.lag(on: connection) }
                let variables = try await connection.query("""
                    SELECT @@GLOBAL.read_only AS ro, @@GLOBAL.gtid_current_pos AS current, @@GLOBAL.gtid_binlog_pos AS binlog, \
                    @@GLOBAL.gtid_slave_pos AS slave, @@GLOBAL.rpl_semi_sync_master_enabled AS semi
                    """).first
                let semi = try await connection.query(
                    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Rpl_semi_sync_master_status', 'Rpl_semi_sync_master_clients', 'Rpl_semi_sync_slave_status')")
                let values = Dictionary(semi.map { ($0["Variable_name"] ?? "", $0["Value"] ?? "") }, uniquingKeysWith: { $1 })
                status.readOnly = variables?["ro"] == "1"
                status.gtidCurrentPos = variables?["current"] ?? ""
                status.gtidBinlogPos = variables?["binlog"] ?? ""
                status.gtidSlavePos = variables?["slave"] ?? ""
                status.semiSync = AgentStatus.SemiSync(
                    masterEnabled: variables?["semi"] == "1", masterActive: values["Rpl_semi_sync_master_status"] == "ON",
                    masterClients: Int(values["Rpl_semi_sync_master_clients"] ?? "") ?? 0,
                    slaveActive: values["Rpl_semi_sync_slave_status"] == "ON")
            }
        } catch {
            status.statusError = "\(error)"
        }
        return status
    }

    /// ``status()`` as the JSON object that travels.
    func statusReport() async -> JSONValue {
        (try? JSONValue(encoding: await status())) ?? .null
    }
}
