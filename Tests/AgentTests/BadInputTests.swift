import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// Every refusal names its reason, and leaves the node as it was.
@Suite("Bad input to a real agent")
struct BadInputTests {
    @Test("Missing, mistyped and unexpected params get the PROTOCOL.md messages")
    func parameterErrors() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            #expect(try await errorMessage(agent, "configure_user", ["password": "x"]) == "Missing argument: username")
            #expect(try await errorMessage(agent, "configure_user", ["username": "bob"]) == "Missing argument: password")
            #expect(try await errorMessage(agent, "configure_user", ["username": 5, "password": "x"])
                == "Invalid argument: username DETAIL:expected a string")
            #expect(try await errorMessage(agent, "delete_user", ["username": "bob", "extra": 1]) == "Unexpected arguments [extra]")
            #expect(try await errorMessage(agent, "set_up_replica_slave", [:]) == "Missing argument: master_host")
            #expect(try await errorMessage(agent, "set_up_replica_slave", ["master_host": "x'; DROP"])
                == "Invalid argument: master_host DETAIL:not an address or host name")
            #expect(try await errorMessage(agent, "set_up_replica_slave", ["master_host": "127.0.0.9", "master_log_file": "mysql-bin.000001", "master_log_pos": "abc"])
                == "Invalid argument: master_log_pos DETAIL:expected an integer")
            #expect(try await errorMessage(agent, "set_server_configuration", ["section": "mysqld", "id_param": "datadir", "value": "/tmp"])
                .hasPrefix("Invalid argument: id_param DETAIL:'datadir' cannot be changed"))
            #expect(try await errorMessage(agent, "set_server_configuration", ["section": "mysqld", "id_param": "max_connections", "value": "1; DROP TABLE x"])
                == "Invalid argument: id_param DETAIL:max_connections takes a whole number from 10 to 10000")
            #expect(try await errorMessage(agent, "delete_user", ["username": "root"]) == "Invalid argument: username DETAIL:'root' is reserved for the service")
            #expect(try await errorMessage(agent, "no_such_method") == "method not found")
            #expect(try await errorMessage(agent, "get_server_state", kind: .post) == "method not found")
            #expect(try await agent.state()["state"]?.stringValue == "RUNNING")
        }
    }

    @Test("Hostile user names and passwords are stored literally, never executed")
    func hostileNames() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            let hostile = ["'; DROP USER root; --", "back`tick", "quote'd\"", "x\\' OR 1=1 #"]
            for (index, name) in hostile.enumerated() {
                let password = "pw'\(index)`; DROP DATABASE mysql; --"
                _ = try await agent.client.call("configure_user", params: ["username": .string(name), "password": .string(password)])
                let login = try await agent.connection(user: name, password: password)
                #expect(try await login.query("SELECT CURRENT_USER() AS me").first?["me"] == "\(name)@%")
                await login.close()
            }
            let users = try await agent.client.call("get_all_users", kind: .get)["users"]?.arrayValue ?? []
            #expect(Set(users.compactMap { $0["username"]?.stringValue }) == Set(hostile))
            #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'root'").first?.int("n") == 1)
            for name in hostile {
                _ = try await agent.client.call("delete_user", params: ["username": .string(name)])
            }
            #expect(try await agent.client.call("get_all_users", kind: .get)["users"]?.arrayValue?.isEmpty == true)
            #expect(try await errorMessage(agent, "delete_user", ["username": "nobody"]) == "Invalid argument: username DETAIL:no such user")
        }
    }

    @Test("set_up_replica_slave on the master, or towards an unreachable master, fails and changes nothing")
    func refusedReplicaSetups() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.start(1)
            let fresh = try await cluster.start(2)
            _ = try await master.client.call("set_up_replica_master")
            try await Fixtures.load(rows: 5, into: master)
            let before = try await Fixtures.checksum(of: master)

            let onMaster = try await errorMessage(master, "set_up_replica_slave", ["master_host": .string(fresh.address)])
            #expect(onMaster == "this node is the master of its service; it cannot become a replica")
            #expect(try await Fixtures.checksum(of: master) == before)
            #expect(try await master.state()["role"]?.stringValue == "master")
            #expect(try await master.state()["read_only"]?.boolValue == false)

            let toItself = try await errorMessage(fresh, "set_up_replica_slave", ["master_host": .string(fresh.address)])
            #expect(toItself.hasPrefix("a node cannot replicate from itself"))

            try await Fixtures.load(rows: 3, into: fresh)
            let freshBefore = try await Fixtures.checksum(of: fresh)
            let unreachable = try await errorMessage(fresh, "set_up_replica_slave", ["master_host": .string(cluster.address(99))])
            #expect(unreachable.hasPrefix("cannot get a replication account from the master agent at http://\(cluster.address(99)):60000"))
            let badLogin = try await errorMessage(fresh, "set_up_replica_slave", [
                "master_host": .string(master.address), "user": "nobody", "password": "wrong",
            ])
            #expect(badLogin.hasPrefix("cannot log in to the master's MariaDB at \(master.address):3306 as nobody"))
            #expect(try await Fixtures.checksum(of: fresh) == freshBefore)
            let state = try await fresh.state()
            #expect(state["role"]?.stringValue == "none")
            #expect(state["replication"] == nil)
            #expect(state["read_only"]?.boolValue == true)  // every node starts read-only
        }
    }

    @Test("Calls without the service secret are refused")
    func unauthenticated() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            for token in [nil, "wrong"] {
                let stranger = RPCClient(baseURL: "http://\(agent.address):60000", token: token)
                await #expect(throws: RPCError.failed("Unauthorized: missing or invalid token")) {
                    try await stranger.call("configure_user", params: ["username": "eve", "password": "x"])
                }
            }
            var request = HTTPClientRequest(url: "http://\(agent.address):60000/snapshot")
            request.headers.add(name: "X-Auth-Token", value: "wrong")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status == .unauthorized)
            #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'eve'").first?.int("n") == 0)
        }
    }
}
