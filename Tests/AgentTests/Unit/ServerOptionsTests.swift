@testable import Agent
import Testing

@Suite("my.cnf rendering")
struct ServerOptionsTests {
    private func options(small: Bool = false, overrides: [String: String] = [:]) -> ServerOptions {
        ServerOptions(
            paths: AgentPaths(root: "/srv/node/"), bindAddress: "127.0.1.7", port: 3306, serverID: 263,
            small: small, overrides: overrides, runAsRoot: false)
    }

    private func settings(_ text: String) -> [String: String] {
        Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }, uniquingKeysWith: { _, last in last })
    }

    @Test("Replication essentials are always there")
    func essentials() {
        let text = options().render()
        let values = settings(text)
        #expect(text.contains("[mysqld]\n"))
        #expect(values["server_id"] == "263")
        #expect(values["log_bin"] == "mysql-bin")
        #expect(values["binlog_format"] == "ROW")
        #expect(values["log_slave_updates"] == "ON")
        #expect(values["gtid_strict_mode"] == "ON")
        #expect(values["bind_address"] == "127.0.1.7")
        #expect(values["character_set_server"] == "utf8mb4")
        #expect(values["datadir"] == "/srv/node/data")
        #expect(values["socket"] == "/srv/node/run/mysqld.sock")
        #expect(values["tmpdir"] == "/srv/node/tmp")
        #expect(values["read_only"] == "ON")
        #expect(values["rpl_semi_sync_slave_enabled"] == "ON")
        #expect(values["rpl_semi_sync_master_wait_point"] == "AFTER_SYNC")
        #expect(values["user"] == nil)
        #expect(values["innodb_buffer_pool_size"] == nil)
    }

    @Test("--small adds the small footprint")
    func small() {
        let values = settings(options(small: true).render())
        #expect(values["innodb_buffer_pool_size"] == "8M")
        #expect(values["performance_schema"] == "OFF")
        #expect(values["max_connections"] == "30")
    }

    @Test("Overrides replace defaults in place and add new keys once")
    func overrides() {
        let text = options(small: true, overrides: ["max_connections": "55", "wait_timeout": "600"]).render()
        #expect(text.components(separatedBy: "max_connections").count == 2)
        #expect(settings(text)["max_connections"] == "55")
        #expect(settings(text)["wait_timeout"] == "600")
    }

    @Test("server_id is derived from the address when not given")
    func derivedServerID() {
        #expect(AgentConfiguration.derivedServerID(from: "127.0.1.7") == 263)
        #expect(AgentConfiguration.derivedServerID(from: "10.1.2.3") == (1 << 16) + (2 << 8) + 3)
        #expect(AgentConfiguration.derivedServerID(from: "fe80::1") == 1)
        #expect(AgentConfiguration.derivedServerID(from: "127.0.0.0") == 1)
    }
}
