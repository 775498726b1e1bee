import Foundation
import JSONRPC
import TestSupport
import Testing

@Suite("Failures the manager reports", .serialized)
struct ManagerHealthTests {
    @Test("A VM whose init script cannot start the agent is FAILED with the script's own reason")
    func initScriptFailure() async throws {
        try await TestManager.with(extraArguments: ["--agent-bin-dir", "/nonexistent/bin"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await eventually("the node fails", timeout: .seconds(60)) {
                try await manager.nodes().first?["state"] == "FAILED"
            }
            let node = try #require(try await manager.nodes().first)
            #expect(node["reason"] == "no executable conpaassql-agent in CONPAASSQL_BIN (/nonexistent/bin)")
            try await eventually("the job is FAILED") {
                try await manager.client.call("get_job", kind: .get, params: ["id": 1])["state"] == "FAILED"
            }
            #expect(try await manager.client.call("get_service_info", kind: .get)["state"] == "ERROR")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(manager.stateDirectory)/cloud/vms").isEmpty)
        }
    }

    @Test("A running node whose agent stops answering is FAILED with the reason, and RUNNING again when it is back")
    func agentStopsAnswering() async throws {
        try await TestManager.with(extraArguments: ["--health-timeout", "3"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(1)
            let address = try #require(try await manager.nodes().first?["ip"]?.stringValue)
            let pid = try #require(agentPID(serving: address))
            kill(pid, SIGSTOP)
            try await eventually("the node is FAILED", timeout: .seconds(60)) {
                try await manager.nodes().first?["state"] == "FAILED"
            }
            let reason = try #require(try await manager.nodes().first?["reason"]?.stringValue)
            #expect(reason.hasPrefix("the agent at \(address) stopped answering"))
            kill(pid, SIGCONT)
            try await eventually("the node is RUNNING again", timeout: .seconds(60)) {
                try await manager.nodes().first?["state"] == "RUNNING"
            }
        }
    }
}

/// The pid of the first process whose command line is `commandLine`.
/// The pid of the agent serving `address` itself, not its VM's restart loop (whose command line holds the agent's).
func agentPID(serving address: String) -> pid_t? {
    processes(matching: " --address \(address) ").first { $0.split(separator: " ").first?.hasSuffix("/conpaassql-agent") == true }
        .flatMap(pidOf(commandLine:))
}

func pidOf(commandLine: String) -> pid_t? {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for pid in entries.compactMap({ Int32($0) }) {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
        if String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self) == commandLine { return pid }
    }
    return nil
}
