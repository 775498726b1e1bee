import AsyncHTTPClient
import Foundation
import JSONRPC
import NIOCore
import MariaDB
import TestSupport
import Testing

/// A real manager on the local cloud: VMs booted through boot-hook.sh and
/// agent/init.sh, real agents, real mariadbd, everything over HTTP on loopback.
@Suite("Manager on the local cloud", .serialized)
struct ManagerServiceTests {
    @Test("add_nodes 3 as a ConPaaS client sends it gives a master and two replicas; users and rows reach every node; remove and re-add keep data; shutdown leaves nothing")
    func fullLifecycle() async throws {
        try await TestManager.with { manager in
            // POST JSON exactly as the classic client sends it.
            var post = HTTPClientRequest(url: "\(manager.url)/")
            post.method = .POST
            post.headers.add(name: "Content-Type", value: "application/json")
            post.body = .bytes(ByteBuffer(string: #"{"method": "add_nodes", "params": {"count": 3}, "id": "1"}"#))
            let added = try await send(post)
            #expect(added["error"] == .null)
            #expect(added["result"]?["nodes"]?.arrayValue?.map { $0["state"]?.stringValue } == ["PENDING", "PENDING", "PENDING"])

            // GET with url-encoded params, as the classic client does for list_nodes.
            var get = HTTPClientRequest(url: "\(manager.url)/?method=list_nodes&params=%7B%7D&id=2")
            get.headers.add(name: "Content-Type", value: "application/json")
            let listed = try await send(get)
            #expect(listed["result"]?["conpaas-mysql"]?.arrayValue?.count == 3)
            #expect(listed["id"] == "2")

            try await manager.waitForRunning(3)
            let nodes = try await manager.nodes()
            let master = try #require(nodes.first { $0["role"] == "master" })
            let replicas = nodes.filter { $0["role"] == "slave" }
            #expect(replicas.count == 2)
            #expect(try await manager.client.call("get_service_info", kind: .get)["state"] == "RUNNING")
            let job = try await manager.client.call("get_job", kind: .get, params: ["id": 1])
            #expect(job["state"] == "DONE")
            #expect(job["tasks"]?.arrayValue?.allSatisfy { $0["state"] == "DONE" } == true)

            _ = try await manager.client.call("configure_user", params: ["serviceNodeId": "all", "username": "shop", "password": "s3cret-pw"])
            let writer = try await connect(master, user: "shop", password: "s3cret-pw")
            try await writer.execute("CREATE DATABASE orders")
            try await writer.execute("CREATE TABLE orders.items (id INT PRIMARY KEY, what VARCHAR(40))")
            try await writer.execute("INSERT INTO orders.items VALUES (1, 'first')")
            for replica in replicas {
                try await eventually("the row reaches \(replica["id"]!)") {
                    try await rows(on: replica, "SELECT what FROM orders.items WHERE id = 1") == ["first"]
                }
            }

            let coordinates = try await manager.client.call("set_up_replica_master", params: ["id": master["id"]!])
            #expect(coordinates["master_host"] == master["ip"])
            #expect(coordinates["master_log_file"]?.stringValue?.hasPrefix("mysql-bin.") == true)
            // Never contacted: the manager refuses any master that is not one of its running nodes.
            await #expect {
                try await manager.client.call("set_up_replica_slave", params: ["id": replicas[0]["id"]!, "master_host": "203.0.113.5"])
            } throws: { error in
                (error as? RPCError)?.message == "Invalid argument: master_host DETAIL:203.0.113.5 is not a running node of this service"
            }

            let removed = try #require(replicas.first?["id"]?.stringValue)
            _ = try await manager.client.call("remove_nodes", params: ["serviceNodeId": .string(removed)])
            try await eventually("the replica is gone", timeout: .seconds(60)) {
                try await manager.nodes().map { $0["id"]?.stringValue } == nodes.compactMap { $0["id"]?.stringValue }.filter { $0 != removed }
            }
            let removedAccount = "conpaas_repl_" + (replicas[0]["ip"]?.stringValue ?? "").replacingOccurrences(of: ".", with: "_")
            let masterRoot = try await manager.rootConnection(vmID: try #require(master["vm_id"]?.stringValue))
            let accounts = try await masterRoot.query("SELECT User FROM mysql.user WHERE User LIKE 'conpaas\\_repl\\_%'").compactMap { $0["User"] }
            await masterRoot.close()
            #expect(!accounts.contains(removedAccount), "the removed replica's account was not dropped: \(accounts)")
            // The remaining replica's, and the binlog archive's (the manager's address).
            let archiveAccount = "conpaas_repl_" + manager.address.replacingOccurrences(of: ".", with: "_")
            #expect(accounts.filter { $0 != archiveAccount }.count == 1, "\(accounts)")
            try await writer.execute("INSERT INTO orders.items VALUES (2, 'while three became two')")
            _ = try await manager.client.call("add_nodes", params: ["count": "1"])
            try await manager.waitForRunning(3)
            let newcomer = try #require(try await manager.nodes().first { node in !nodes.contains { $0["id"] == node["id"] } })
            try await writer.execute("INSERT INTO orders.items VALUES (3, 'after the newcomer')")
            try await eventually("the newcomer has every row") {
                try await rows(on: newcomer, "SELECT what FROM orders.items ORDER BY id") == ["first", "while three became two", "after the newcomer"]
            }
            await writer.close()

            _ = try await manager.client.call("set_password", params: ["user": "shop", "password": "n3w-pw"])
            try await eventually("the new password works on the newcomer (replicated)") {
                let login = try await connect(newcomer, user: "shop", password: "n3w-pw")
                await login.close()
                return true
            }

            // Besides the VMs, the manager runs HAProxy and the binlog archiver from its state directory.
            let helpers = { processes(matching: manager.stateDirectory).filter { !$0.contains("conpaassql-manager") } }
            try await eventually("HAProxy and the binlog archiver run") {
                helpers().contains { $0.contains("haproxy") } && helpers().contains { $0.contains("mariadb-binlog") }
            }
            let shutdown = try await manager.client.call("shutdown")
            #expect(shutdown["state"] == "EPILOGUE")
            try await eventually("the service is STOPPED", timeout: .seconds(60)) {
                try await manager.client.call("get_service_info", kind: .get)["state"] == "STOPPED"
            }
            #expect(try await manager.nodes().isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(manager.stateDirectory)/cloud/vms").isEmpty)
            try await eventually("no process of the service is left: VMs, HAProxy, the archiver") { helpers().isEmpty }
            await #expect(throws: RPCError.self) { try await manager.client.call("add_nodes", params: ["count": 1]) }
        }
    }

    @Test("A manager killed with SIGKILL during a job finishes it after a restart, with no VM created twice")
    func sigkillDuringJob() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await eventually("the job is under way") {
                try await manager.nodes().contains { $0["state"] == "BOOTING" || $0["state"] == "CONFIGURING" }
            }
            let before = try await manager.client.call("list_nodes", kind: .get)
            await manager.kill(SIGKILL)
            try await manager.start()
            #expect(try await manager.client.call("list_nodes", kind: .get) == before)
            try await manager.waitForRunning(2)
            #expect(try await manager.client.call("list_nodes", kind: .get) == before)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(manager.stateDirectory)/cloud/vms").count == 2)
            #expect(try await manager.client.call("list_jobs", kind: .get)["jobs"]?.arrayValue?.first?["state"] == "DONE")
        }
    }
}

/// Sends a raw request and parses the JSON answer.
func send(_ request: HTTPClientRequest) async throws -> JSONValue {
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let body = try await response.body.collect(upTo: 1 << 20)
    return try JSONValue(parsing: Array(body.readableBytesView))
}

/// A connection to a node's MariaDB through its own address.
func connect(_ node: JSONValue, user: String, password: String) async throws -> MariaDBConnection {
    try await MariaDBConnection.connect(MariaDBConfiguration(
        endpoint: .tcp(host: node["ip"]?.stringValue ?? "", port: 3306), user: user, password: password), threadPool: testThreadPool)
}

/// The first column of every row of `sql` on `node`, as the service user.
func rows(on node: JSONValue, _ sql: SQL) async throws -> [String?] {
    let connection = try await connect(node, user: "shop", password: "s3cret-pw")
    let result = try await connection.query(sql).map { $0.values.first ?? nil }
    await connection.close()
    return result
}

/// Command lines of running processes that contain `text`.
func processes(matching text: String) -> [String] {
    processTable(matching: text).map(\.command)
}

/// Pids and command lines of running processes whose command line contains `text`, lowest pid first.
func processTable(matching text: String) -> [(pid: pid_t, command: String)] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(pid_t.init).sorted().compactMap { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
        return command.contains(text) ? (pid, command) : nil
    }
}
