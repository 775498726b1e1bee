@testable import Agent
import JSONRPC
import Testing

@Suite("set_up_replica_slave parameters")
struct ReplicaSetupParsingTests {
    private func parse(_ values: [String: JSONValue]) throws -> ReplicaSetup {
        try AgentRPCMethods.replicaSetup(from: RPCParams(values))
    }

    @Test("Without position or GTID the replica is seeded from a snapshot")
    func snapshotForm() throws {
        let setup = try parse(["master_host": "127.0.1.1"])
        #expect(setup.startingPoint == .snapshot)
        #expect(setup.masterPort == 3306)
        #expect(setup.masterAgentPort == 60000)
        #expect(setup.credentials == nil)
    }

    @Test("GTID form with an account")
    func gtidForm() throws {
        let setup = try parse(["master_host": "10.0.0.5", "master_port": 3307, "user": "repl", "password": "pw", "gtid": "0-1-42,1-2-3"])
        #expect(setup.startingPoint == .gtid("0-1-42,1-2-3"))
        #expect(setup.credentials?.user == "repl")
        #expect(setup.masterPort == 3307)
    }

    @Test("Classic ConPaaS form, numbers as strings as old clients send them")
    func classicForm() throws {
        let setup = try parse([
            "master_host": "127.0.1.1", "master_log_file": "mysql-bin.000002", "master_log_pos": "1234", "slave_server_id": "9",
        ])
        #expect(setup.startingPoint == .binlogFile(name: "mysql-bin.000002", position: 1234))
        #expect(setup.serverID == 9)
    }

    @Test("Refusals name the parameter")
    func refusals() {
        let cases: [([String: JSONValue], String)] = [
            ([:], "Missing argument: master_host"),
            (["master_host": "127.0.0.1", "user": "x"], "Missing argument: password"),
            (["master_host": "127.0.0.1", "master_log_pos": 4], "Missing argument: master_log_file"),
            (["master_host": "127.0.0.1", "master_log_file": "../../etc/passwd", "master_log_pos": 4],
             "Invalid argument: master_log_file DETAIL:not a binlog file name"),
            (["master_host": "127.0.0.1", "gtid": "0-1-x"], "Invalid argument: gtid DETAIL:expected domain-server-sequence, comma separated"),
            (["master_host": "127.0.0.1", "master_port": 70000], "Invalid argument: master_port DETAIL:must be a port number (1-65535)"),
            (["master_host": "127.0.0.1", "slave_server_id": 0], "Invalid argument: slave_server_id DETAIL:must be from 1 to 4294967295"),
            (["master_host": "127.0.0.1", "colour": "red"], "Unexpected arguments [colour]"),
            (["master_host": "a b"], "Invalid argument: master_host DETAIL:not an address or host name"),
        ]
        for (values, message) in cases {
            #expect(throws: RPCError.self) { try parse(values) }
            #expect((try? parse(values)) == nil)
            do {
                _ = try parse(values)
            } catch let error as RPCError {
                #expect(error.message == message)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}

@Suite("Account rules")
struct AccountRulesTests {
    @Test("User names: punctuation is fine, reserved and control characters are not")
    func userNames() {
        #expect(AccountRules.problem(withUserName: "'; DROP USER root; --") == nil)
        #expect(AccountRules.problem(withUserName: "root") == "'root' is reserved for the service")
        #expect(AccountRules.problem(withUserName: "conpaas_repl_1") == "'conpaas_repl_1' is reserved for the service")
        #expect(AccountRules.problem(withUserName: "") == "must not be empty")
        #expect(AccountRules.problem(withUserName: "a\u{0}b") == "contains control characters")
        #expect(AccountRules.problem(withUserName: String(repeating: "u", count: 129)) == "longer than 128 characters")
    }

    @Test("Replication accounts are named after the replica and match its source address")
    func replicationAccounts() {
        #expect(AccountRules.replicationUser(forReplica: "127.0.1.5") == "conpaas_repl_127_0_1_5")
        #expect(AccountRules.replicationHost(forReplica: "127.0.1.5") == "127.0.0.1")
        #expect(AccountRules.replicationHost(forReplica: "10.0.0.5") == "10.0.0.5")
        #expect(AccountRules.isValidHost("db-1.example.org"))
        #expect(!AccountRules.isValidHost("%"))
        #expect(!AccountRules.isValidHost("x'y"))
    }

    @Test("Only whitelisted server variables, with checked values")
    func settings() throws {
        #expect(try ServerSettings.parse(name: "max_connections", text: "200") == .integer(200))
        #expect(try ServerSettings.parse(name: "slow_query_log", text: "on") == .onOff(true))
        #expect(throws: AgentError.self) { try ServerSettings.parse(name: "datadir", text: "/") }
        #expect(throws: AgentError.self) { try ServerSettings.parse(name: "max_connections", text: "5") }
        #expect(throws: AgentError.self) { try ServerSettings.parse(name: "max_connections", text: "1; DROP") }
    }
}
