import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import Synchronization
import TestSupport

/// A real `conpaassql-manager` process on the local cloud, on its own loopback
/// block `127.0.B.x` (manager on .250, VMs from .1), killed and cleaned up
/// (VM process trees and state directory) at the end of the test. Test processes
/// of other trees run at the same time: a block is claimed (``claimLoopbackBlock(_:free:)``)
/// until tear-down, and ``start(more:)``
/// waits for its own manager's log to say it listens, never for just any answer.
final class TestManager: Sendable {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    private static let nextBlock = Mutex(150)

    let block: Int
    let stateDirectory: String
    let client: RPCClient
    private let extraArguments: Mutex<[String]>
    private let process = Mutex<Process?>(nil)
    /// The block's lock file (nil once released).
    private let blockLock: Mutex<Int32?>

    var address: String { "127.0.\(block).250" }
    var url: String { "http://\(address):50000" }

    init(extraArguments: [String] = []) throws {
        // Blocks 151 to 254, in turn; one torn down (its lock released) may serve again.
        let claimed = Self.nextBlock.withLock { value -> (Int, Int32)? in
            for _ in 151...254 {
                value = value >= 254 ? 151 : value + 1
                let ports: [UInt16] = [50000, 3306, 3307]  // the manager, its writer and reader endpoints
                if let lock = claimLoopbackBlock(value, free: ports.map { ("127.0.\(value).250", $0) }) { return (value, lock) }
            }
            return nil
        }
        guard let (block, lock) = claimed else { throw TestFailure("every loopback block from 127.0.151 to 127.0.254 is taken") }
        self.block = block
        blockLock = Mutex(lock)
        stateDirectory = "/tmp/cq-mgr-\(UUID().uuidString.prefix(6))"
        self.extraArguments = Mutex(extraArguments)
        client = RPCClient(baseURL: "http://127.0.\(block).250:50000", timeout: .seconds(60))
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
    }

    /// Starts the manager (again, on the same state) and waits until it answers;
    /// `more` arguments are kept for later restarts.
    func start(more: [String] = []) async throws {
        let extraArguments = self.extraArguments.withLock { arguments in
            arguments += more
            return arguments
        }
        let manager = Process()
        manager.executableURL = URL(fileURLWithPath: "\(Self.binaries)/conpaassql-manager")
        manager.arguments = [
            "--address", address, "--state-dir", stateDirectory, "--local-address-prefix", "127.0.\(block)",
            "--contextualization-dir", "\(Self.repository)/contextualization", "--agent-bin-dir", Self.binaries,
            "--poll-interval-ms", "200", "--log-level", "debug",
        ] + extraArguments
        _ = FileManager.default.createFile(atPath: "\(stateDirectory)/manager.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(stateDirectory)/manager.log"))
        let startedAt = try log.seekToEnd()
        manager.standardOutput = log
        manager.standardError = log
        try manager.run()
        process.withLock { $0 = manager }
        // Another process answering on the address (a leftover of a crashed run, another
        // tree's test) would fool the tests: this manager's own log must say it listens.
        try await eventually("the manager answers", timeout: .seconds(30)) {
            guard manager.isRunning else { throw TestFailure("the manager exited: \(logTail(lines: 5))") }
            let log = FileHandle(forReadingAtPath: "\(stateDirectory)/manager.log")
            try log?.seek(toOffset: startedAt)
            let text = String(decoding: (try log?.readToEnd()) ?? Data(), as: UTF8.self)
            try log?.close()
            guard text.contains("listening on \(address):50000") else {
                if text.contains("Address already in use") { throw TestFailure("another process holds \(address):50000") }
                return false
            }
            return (try? await client.call("get_service_info", kind: .get)) != nil
        }
    }

    /// Sends `signal` to the manager and waits for it to exit.
    func kill(_ signal: Int32 = SIGKILL) async {
        guard let manager = process.withLock({ $0 }) else { return }
        Foundation.kill(manager.processIdentifier, signal)
        await waitForExit(of: manager.processIdentifier)
        process.withLock { $0 = nil }
    }

    /// Stops the manager, kills every process started under the state directory, removes it.
    /// `pkill` runs until it finds nothing: a process can start while it scans
    /// (an agent starting mariadbd as it is killed).
    func tearDown() async {
        await kill(SIGTERM)
        for _ in 0..<20 {
            let pkill = Process()
            pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            pkill.arguments = ["-KILL", "-f", stateDirectory]
            guard (try? await pkill.runUntilExit()) == 0 else { break }  // 1: nothing matched
            try? await Task.sleep(for: .milliseconds(100))
        }
        if ProcessInfo.processInfo.environment["KEEP_TEST_STATE"] == nil {
            try? FileManager.default.removeItem(atPath: stateDirectory)
        }
        if let lock = blockLock.withLock({ $0.take() }) { close(lock) }
    }

    /// Runs `body` with a started manager, tearing it down however `body` ends.
    static func with(extraArguments: [String] = [], _ body: (TestManager) async throws -> Void) async throws {
        let manager = try TestManager(extraArguments: extraArguments)
        do {
            try await manager.start()
            try await body(manager)
        } catch {
            print("manager log tail for \(manager.stateDirectory):\n\(manager.logTail())")
            await manager.tearDown()
            throw error
        }
        await manager.tearDown()
    }

    func logTail(lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: "\(stateDirectory)/manager.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// The nodes of `list_nodes`, and each one's `get_node_info`.
    func nodes() async throws -> [JSONValue] {
        let ids = try await client.call("list_nodes", kind: .get)["conpaas-mysql"]?.arrayValue ?? []
        var nodes: [JSONValue] = []
        for id in ids {
            nodes.append(try await client.call("get_node_info", kind: .get, params: ["serviceNodeId": id])["serviceNode"] ?? .null)
        }
        return nodes
    }

    /// Waits until every live node is RUNNING and there are `count` of them.
    func waitForRunning(_ count: Int, timeout: Duration = .seconds(240)) async throws {
        try await eventually("\(count) nodes RUNNING", timeout: timeout) {
            let nodes = try await self.nodes()
            if let failed = nodes.first(where: { $0["state"]?.stringValue == "FAILED" }) {
                throw TestFailure("node failed: \(failed)")
            }
            return nodes.count == count && nodes.allSatisfy { $0["state"]?.stringValue == "RUNNING" }
        }
    }

    /// A root connection to a local VM's MariaDB through its socket, with the password its agent chose.
    func rootConnection(vmID: String) async throws -> MariaDBConnection {
        let node = "\(stateDirectory)/cloud/vms/\(vmID)/agent/node"
        let options = try String(contentsOfFile: "\(node)/client.cnf", encoding: .utf8)
        let password = options.split(separator: "\n").first { $0.hasPrefix("password = ") }.map { String($0.dropFirst(11)) } ?? ""
        return try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .unixSocket(path: "\(node)/run/mysqld.sock"), user: "root", password: password), threadPool: testThreadPool)
    }

    /// The service secret the manager shares with its agents.
    var serviceSecret: String {
        (try? String(contentsOfFile: "\(stateDirectory)/service-secret", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}
