import AsyncHTTPClient
import Foundation
import JSONRPC
import NIOCore
import TestSupport

/// A real `onesim` process (OpenNebula 6.10 by default, `--boot local`) on the
/// test manager's address block (`127.0.B.249:2633`, VM leases from `127.0.B.1`),
/// its state under the manager's directory so the manager's tear-down ends it too.
struct TestOneSim {
    let manager: TestManager
    let process: Process

    var endpoint: String { "http://127.0.\(manager.block).249:2633/RPC2" }

    /// Starts onesim and waits until it answers XML-RPC.
    static func start(for manager: TestManager, profile: String = "6.10", faults: String? = nil) async throws -> TestOneSim {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(TestManager.binaries)/onesim")
        process.arguments = [
            "--address", "127.0.\(manager.block).249", "--port", "2633", "--profile", profile,
            "--state-dir", "\(manager.stateDirectory)/one", "--boot", "local",
            "--boot-hook", "\(TestManager.repository)/contextualization/boot-hook.sh",
            "--leases", "127.0.\(manager.block).0/24", "--transition-ms", "50",
        ] + (faults.map { ["--faults", $0] } ?? [])
        let log = "\(manager.stateDirectory)/onesim.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = process.standardOutput
        try process.run()
        let sim = TestOneSim(manager: manager, process: process)
        try await eventually("onesim answers", timeout: .seconds(60)) { try await sim.call("one.system.version").contains("6.") || !profile.hasPrefix("6") }
        return sim
    }

    /// The arguments that point a manager at this onesim.
    func managerArguments() throws -> [String] {
        let password = "\(manager.stateDirectory)/one-password"
        try "opennebula\n".write(toFile: password, atomically: true, encoding: .utf8)
        return [
            "--cloud", "opennebula", "--one-endpoint", endpoint, "--one-user", "oneadmin", "--one-password-file", password,
            "--one-image-id", "0", "--one-network-id", "0", "--one-template-file", "\(TestManager.repository)/images/agent.template",
            "--agent-context", "CONPAASSQL_BIN=\(TestManager.binaries)", "--agent-context", "AGENT_SMALL=yes",
        ]
    }

    /// Raw XML-RPC: `method` with the session and integer `arguments`; answers the response text.
    func call(_ method: String, _ arguments: [Int] = []) async throws -> String {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "text/xml")
        let params = (["<param><value><string>oneadmin:opennebula</string></value></param>"]
            + arguments.map { "<param><value><int>\($0)</int></value></param>" }).joined()
        request.body = .bytes(ByteBuffer(string: "<?xml version=\"1.0\"?><methodCall><methodName>\(method)</methodName><params>\(params)</params></methodCall>"))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    /// Ids of the VMs onesim holds that are not DONE (state filter -1).
    func liveVMIDs() async throws -> [String] {
        let pool = try await call("one.vmpool.info", [-2, -1, -1, -1])
        return pool.matches(of: /&lt;VM&gt;&lt;ID&gt;(\d+)&lt;\/ID&gt;|<VM><ID>(\d+)<\/ID>/).map { String($0.output.1 ?? $0.output.2 ?? "") }
    }
}

extension TestManager {
    /// Runs `body` with a manager on `--cloud opennebula` driving a fresh onesim.
    static func withOpenNebula(
        faults: String? = nil, extraArguments: [String] = [], _ body: (TestManager, TestOneSim) async throws -> Void
    ) async throws {
        let manager = try TestManager(extraArguments: extraArguments)
        do {
            let sim = try await TestOneSim.start(for: manager, faults: faults)
            try await manager.start(more: try sim.managerArguments())
            try await body(manager, sim)
        } catch {
            print("manager log tail for \(manager.stateDirectory):\n\(manager.logTail())")
            await manager.tearDown()
            throw error
        }
        await manager.tearDown()
    }
}
