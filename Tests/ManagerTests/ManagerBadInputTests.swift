import AsyncHTTPClient
import Foundation
import JSONRPC
import NIOCore
import TestSupport
import Testing

@Suite("Bad input to a real manager", .serialized)
struct ManagerBadInputTests {
    private func message(_ manager: TestManager, _ method: String, kind: RPCMethodKind = .post, _ params: [String: JSONValue] = [:]) async throws -> String {
        do {
            let result = try await manager.client.call(method, kind: kind, params: params)
            throw TestFailure("\(method) succeeded with \(result)")
        } catch let error as RPCError {
            return error.message
        }
    }

    @Test("Wrong counts, unknown ids, unknown methods and wrong states get clear errors and change nothing")
    func refusals() async throws {
        try await TestManager.with(extraArguments: ["--max-nodes", "5"]) { manager in
            #expect(try await message(manager, "add_nodes", ["count": 0]) == "Invalid argument: count DETAIL:must be at least 1")
            #expect(try await message(manager, "add_nodes", ["count": -3]) == "Invalid argument: count DETAIL:must be at least 1")
            #expect(try await message(manager, "add_nodes", ["count": "three"]) == "Invalid argument: count DETAIL:expected an integer")
            #expect(try await message(manager, "add_nodes", ["count": 1000]) == "Invalid argument: count DETAIL:the service may have at most 5 nodes (it has 0)")
            #expect(try await message(manager, "add_nodes", ["count": .int(Int.max)]) == "Invalid argument: count DETAIL:the service may have at most 5 nodes (it has 0)")
            #expect(try await message(manager, "add_nodes", [:]) == "Missing argument: count")
            #expect(try await message(manager, "add_nodes", ["count": 1, "colour": "red"]) == "Unexpected arguments [colour]")
            #expect(try await message(manager, "get_node_info", kind: .get, ["serviceNodeId": "node-42"]) == "Invalid argument: serviceNodeId DETAIL:unknown node node-42")
            #expect(try await message(manager, "remove_nodes", ["serviceNodeId": "node-42"]) == "Invalid argument: serviceNodeId DETAIL:unknown node node-42")
            #expect(try await message(manager, "remove_nodes", [:]) == "Missing argument: serviceNodeId")
            #expect(try await message(manager, "get_job", kind: .get, ["id": 9]) == "Invalid argument: id DETAIL:unknown job 9")
            #expect(try await message(manager, "list_jobs", kind: .get, ["limit": 0]) == "Invalid argument: limit DETAIL:must be from 1 to 1000")
            #expect(try await message(manager, "list_jobs", kind: .get, ["limit": 1001]) == "Invalid argument: limit DETAIL:must be from 1 to 1000")
            #expect(try await message(manager, "list_jobs", kind: .get, ["limit": "all"]) == "Invalid argument: limit DETAIL:expected an integer")
            #expect(try await message(manager, "list_jobs", kind: .get, ["before": 0]) == "Invalid argument: before DETAIL:must be a job id (at least 1)")
            #expect(try await message(manager, "list_jobs", kind: .get, ["page": 2]) == "Unexpected arguments [page]")
            #expect(try await message(manager, "configure_user", ["serviceNodeId": "all", "username": "u", "password": "p"]) == "Service in wrong state")
            #expect(try await message(manager, "no_such_method") == "method not found")
            #expect(try await message(manager, "add_nodes", kind: .get, ["count": 1]) == "method not found")
            #expect(try await message(manager, "register_node", ["state": ["id": "node-7", "state": "RUNNING"]]) == "Invalid argument: state DETAIL:unknown node node-7")

            var garbage = HTTPClientRequest(url: "\(manager.url)/")
            garbage.method = .POST
            garbage.headers.add(name: "Content-Type", value: "application/json")
            garbage.body = .bytes(ByteBuffer(string: "{\"method\": \"add_nodes\", \"params\": {\"count\": 1"))
            #expect(try await HTTPClient.shared.execute(garbage, timeout: .seconds(10)).status == .badRequest)
            // An unknown JSON-RPC version is refused, never run as a ConPaaS call.
            garbage.body = .bytes(ByteBuffer(string: #"{"jsonrpc": "3.0", "method": "add_nodes", "params": {"count": 1}, "id": 1}"#))
            let wrongVersion = try await HTTPClient.shared.execute(garbage, timeout: .seconds(10))
            let answer = try JSONValue(parsing: Array(try await wrongVersion.body.collect(upTo: 1 << 16).readableBytesView))
            #expect(answer["error"]?["code"] == -32600, "\(answer)")

            #expect(try await manager.client.call("list_nodes", kind: .get)["conpaas-mysql"] == [])
            #expect(try await manager.client.call("get_service_info", kind: .get)["state"] == "INIT")
            _ = try await manager.client.call("shutdown")
            try await eventually("STOPPED") { try await manager.client.call("get_service_info", kind: .get)["state"] == "STOPPED" }
            #expect(try await message(manager, "add_nodes", ["count": 1]) == "Service in wrong state")
            #expect(try await message(manager, "shutdown") == "Service in wrong state")
            let jobs = try await manager.client.call("list_jobs", kind: .get, params: ["limit": 1])
            #expect(jobs["jobs"]?.arrayValue?.map { $0["kind"] } == ["shutdown"])
            #expect(jobs["next_before"] == .null)
            #expect(try await manager.client.call("list_jobs", kind: .get, params: ["before": 1])["jobs"] == [])
        }
    }

    @Test("50 concurrent add_nodes and remove_nodes calls leave one master, unique server ids, no node in two places")
    func concurrentCalls() async throws {
        try await TestManager.with(extraArguments: ["--max-nodes", "3"]) { manager in
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let call: (String, [String: JSONValue]) = index % 5 == 4 ? ("remove_nodes", ["count": 1]) : ("add_nodes", ["count": 1])
                        return (try? await manager.client.call(call.0, params: call.1)) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.contains(true))
            try await eventually("every job finished", timeout: .seconds(240)) {
                let jobs = try await manager.client.call("list_jobs", kind: .get)["jobs"]?.arrayValue ?? []
                return jobs.allSatisfy { $0["state"] != "RUNNING" }
            }
            let nodes = try await manager.nodes()
            #expect(nodes.count <= 3)
            #expect(nodes.filter { $0["role"] == "master" }.count == 1)
            #expect(Set(nodes.compactMap { $0["server_id"]?.intValue }).count == nodes.count)
            #expect(Set(nodes.compactMap { $0["ip"]?.stringValue }).count == nodes.count)
            #expect(nodes.allSatisfy { $0["state"] == "RUNNING" })
            let info = try await manager.client.call("list_nodes", kind: .get)
            let masters: Set<JSONValue> = Set(info["masters"]?.arrayValue ?? [])
            let slaves: Set<JSONValue> = Set(info["slaves"]?.arrayValue ?? [])
            #expect(masters.isDisjoint(with: slaves))
        }
    }
}

@Suite("Manager start-up refusals")
struct ManagerStartupTests {
    /// Runs the manager binary with `arguments` and answers its exit status and error output.
    private func run(_ arguments: [String]) async throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(TestManager.binaries)/conpaassql-manager")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let status = try await process.runUntilExit()
        return (status, String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test("Off loopback the manager will not start without a token; OpenNebula needs its options")
    func refusals() async throws {
        let offLoopback = try await run(["--address", "0.0.0.0", "--state-dir", "/tmp/cq-never-created"])
        #expect(offLoopback.status != 0)
        #expect(offLoopback.error.contains("--token-file is required when listening on 0.0.0.0"))
        let openNebula = try await run(["--address", "127.0.0.1", "--state-dir", "/tmp/cq-never-created", "--cloud", "opennebula"])
        #expect(openNebula.status != 0)
        #expect(openNebula.error.contains("--cloud opennebula needs --one-endpoint"))
        let noThreads = try await run([
            "--address", "127.0.0.1", "--state-dir", "/tmp/cq-never-created", "--cloud", "opennebula", "--one-endpoint", "http://127.0.0.1:1/RPC2",
            "--one-user", "u", "--one-password-file", "/dev/null", "--one-image-id", "0", "--one-network-id", "0", "--one-call-threads", "0",
        ])
        #expect(noThreads.status != 0)
        #expect(noThreads.error.contains("--one-call-threads must be 1 to 64"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/cq-never-created"))
    }
}
