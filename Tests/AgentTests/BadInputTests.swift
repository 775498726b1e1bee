import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import NIOCore
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

    @Test("Malformed, oversized and mis-versioned requests are answered with errors; nothing changes and the agent goes on")
    func malformedRequests() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            let base = "http://\(agent.address):60000"
            func post(_ body: String, type: String = "application/json") async throws -> (status: UInt, body: String) {
                var request = HTTPClientRequest(url: "\(base)/")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(TestAgent.secret)")
                request.headers.add(name: "Content-Type", value: type)
                request.body = .bytes(ByteBuffer(string: body))
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
            }
            let create = #""method":"configure_user","params":{"username":"mallory","password":"pw"}"#
            let cases: [(body: String, type: String, status: UInt, fragment: String)] = [
                ("{", "application/json", 400, "Parse error"),
                (String(repeating: "[", count: 100_000), "application/json", 400, "Parse error"),
                ("[]", "application/json", 200, "-32600"),
                ("\"configure_user\"", "application/json", 400, "expected a JSON object"),
                ("{\(create),\"jsonrpc\":\"1.0\",\"id\":1}", "application/json", 200, "-32600"),
                ("[{\(create),\"jsonrpc\":\"3.0\",\"id\":1}]", "application/json", 200, "-32600"),
                ("{\(create),\"params\":7}", "application/json", 400, "must be a JSON object"),
                ("method=configure_user", "text/plain", 415, "Unsupported Content-Type"),
                ("--B\r\nContent-Disposition: form-data; name=\"method\"\r\n\r\nsend_mysqldump\r\n--B--\r\n",
                 "multipart/form-data; boundary=B", 200, "Missing argument: mysqldump"),
                ("{\"method\":\"configure_user\",\"params\":{\"username\":\"" + String(repeating: "x", count: 5 << 20) + "\"}}",
                 "application/json", 413, "larger than"),
            ]
            for (body, type, status, fragment) in cases {
                let answer = try await post(body, type: type)
                #expect(answer.status == status, "\(body.prefix(80)): \(answer.status) \(answer.body.prefix(200))")
                #expect(answer.body.contains(fragment), "\(body.prefix(80)): \(answer.body.prefix(200))")
            }
            var badQuery = HTTPClientRequest(url: "\(base)/?method=get_server_state&params=%zz")
            badQuery.headers.add(name: "Authorization", value: "Bearer \(TestAgent.secret)")
            #expect(try await HTTPClient.shared.execute(badQuery, timeout: .seconds(10)).status == .badRequest)

            #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'mallory'").first?.int("n") == 0)
            #expect(try await agent.state()["state"]?.stringValue == "RUNNING")
            _ = try await agent.client.call("configure_user", params: ["username": "after", "password": "pw"])
        }
    }
}
