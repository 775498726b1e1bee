import Foundation
import JSONRPC
import TestSupport
import Testing

/// `scripts/run-manager-client` against real managers: the classic forms of PROTOCOL.md.
@Suite("run-manager-client", .serialized)
struct ClientScriptTests {
    @Test("Every classic form: two nodes, users, a dump that reaches the replica, performance, removal, log")
    func classicForms() async throws {
        try await TestManager.with { manager in
            func client(_ arguments: String..., stdin: String? = nil) async throws -> JSONValue {
                let run = try await ClientProcess.managerClient([manager.address, "50000"] + arguments, stdin: stdin)
                try #require(run.status == 0, "\(arguments): \(run)")
                return try run.json()
            }
            #expect(try await client("add_nodes", "2")["nodes"]?.arrayValue?.count == 2)
            try await manager.waitForRunning(2)
            let listed = try await client("list_nodes")
            #expect(listed["conpaas-mysql"]?.arrayValue?.count == 2)
            let replicaID = try #require(listed["slaves"]?.arrayValue?.first?.stringValue)
            let replica = try #require(try await client("get_node_info", replicaID)["serviceNode"])
            #expect(replica["role"] == "slave")
            #expect(try await client("get_service_info")["state"] == "RUNNING")

            // The password from stdin ("-"): it then never shows in the process list.
            _ = try await client("configure_user", "all", "shop", "-", stdin: "s3cret-pw\n")
            let users = try await client("get_users")["users"]?.objectValue ?? [:]
            #expect(users.count == 2)
            #expect(users.values.allSatisfy { $0.arrayValue?.contains { $0["username"] == "shop" } == true })

            let dump = FileManager.default.temporaryDirectory.appendingPathComponent("classic-\(UUID().uuidString).sql")
            try Data("CREATE DATABASE classic;\nCREATE TABLE classic.t (v VARCHAR(20));\nINSERT INTO classic.t VALUES ('from a dump');\n".utf8)
                .write(to: dump)
            defer { try? FileManager.default.removeItem(at: dump) }
            _ = try await client("send_mysqldump", "all", dump.path)
            try await eventually("the dump's row reaches the replica") {
                try await rows(on: replica, "SELECT v FROM classic.t") == ["from a dump"]
            }
            let performance = try await client("get_service_performance")
            #expect(performance["nodes"]?[replicaID]?["seconds_behind_master"]?.intValue != nil)

            _ = try await client("delete_user", "all", "shop")
            try await eventually("shop is gone everywhere") {
                let users = try await client("get_users")["users"]?.objectValue ?? [:]
                return users.count == 2 && users.values.allSatisfy { $0.arrayValue?.contains { $0["username"] == "shop" } == false }
            }
            _ = try await client("remove_nodes", "id", replicaID)
            try await eventually("the replica is removed", timeout: .seconds(60)) {
                try await client("list_nodes")["slaves"] == []
            }
            #expect(try await client("getLog")["log"]?.stringValue?.contains("nodes requested") == true)
        }
    }

    @Test("Exit 2 with the usage for wrong arguments, 3 when the manager is unreachable, 1 with the manager's message; the token from --token or CONPAASSQL_TOKEN")
    func errorsAndToken() async throws {
        for arguments in [["add_nodes"], ["add_nodes", "two"], ["remove_nodes", "name", "x"], ["configure_user", "all", "shop"],
                          ["list_nodes", "extra"], ["send_mysqldump", "all", "/nonexistent.sql"], ["no_such_method"]] {
            let run = try await ClientProcess.managerClient(["127.0.0.1", "50000"] + arguments)
            #expect(run.status == 2, "\(arguments): \(run)")
            #expect(run.stderr.contains("usage: run-manager-client"), "\(arguments): \(run)")
        }
        let unreachable = try await ClientProcess.managerClient(["127.0.0.1", "1", "list_nodes"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr == "run-manager-client: cannot reach the manager at 127.0.0.1:1: Connection refused\n")

        try await TestManager.withToken { manager, token in
            let target = [manager.address, "50000"]
            let refused = try await ClientProcess.managerClient(target + ["list_nodes"])
            #expect(refused.status == 1)
            #expect(refused.stderr == "run-manager-client: Unauthorized: missing or invalid token\n")
            #expect(refused.stdout.isEmpty)
            #expect(try await ClientProcess.managerClient(["--token", token] + target + ["list_nodes"]).json()["conpaas-mysql"] == [])
            let environment = ["CONPAASSQL_TOKEN": token]
            let unknown = try await ClientProcess.managerClient(target + ["get_node_info", "nope"], environment: environment)
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "run-manager-client: Invalid argument: serviceNodeId DETAIL:unknown node nope\n")
            let nothing = try await ClientProcess.managerClient(target + ["remove_nodes", "count", "1"], environment: environment)
            #expect(nothing.status == 1)
            #expect(nothing.stderr.contains("there are only 0 replicas to remove"))
        }
    }
}
