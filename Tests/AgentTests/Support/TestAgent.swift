import Agent
import Foundation
import JSONRPC
import Logging
import MariaDB
import NIOCore
import ServiceLifecycle
import Synchronization
import TestSupport

/// A real agent (and so a real mariadbd) running inside the test process on
/// its own loopback address, stopped gracefully at the end of the test.
final class TestAgent: Sendable {
    static let secret = "test-secret-\(UUID().uuidString.prefix(8))"

    let address: String
    let directory: String
    let client: RPCClient
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts an agent on `address` (port 60000, mariadbd on 3306) in `directory`,
    /// and waits until its MariaDB is RUNNING (AWAITING_RESTORE with `awaitRestore`).
    init(address: String, directory: String, maxUploadBytes: Int64 = 1 << 30, managerURL: String? = nil, awaitRestore: Bool = false) async throws {
        self.address = address
        self.directory = directory
        var logger = Logger(label: "test.agent.\(address)")
        logger.logLevel = ProcessInfo.processInfo.environment["AGENT_TEST_LOG"] == nil ? .warning : .debug
        let configuration = AgentConfiguration(
            address: address, dataDirectory: directory, secret: Self.secret, managerURL: managerURL, small: true, maxUploadBytes: maxUploadBytes,
            awaitRestore: awaitRestore)
        let app = try await buildAgentApplication(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        self.task = Task { try await group.run() }
        self.client = RPCClient(baseURL: "http://\(address):60000", token: Self.secret, timeout: .seconds(120))
        try await waitForState(awaitRestore ? "AWAITING_RESTORE" : "RUNNING")
    }

    /// Stops the agent and its mariadbd, and waits for both.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// The `return` object of `get_server_state`.
    func state() async throws -> JSONValue {
        try await client.call("get_server_state", kind: .get)["return"] ?? .null
    }

    /// Polls `get_server_state` until `state` is reached.
    func waitForState(_ wanted: String, timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let state = try? await state(), state["state"]?.stringValue == wanted { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("agent \(address) did not reach \(wanted) within \(timeout)")
    }

    /// A root connection over the agent's socket, with the password the agent chose.
    func rootConnection() async throws -> MariaDBConnection {
        let options = try String(contentsOfFile: "\(directory)/client.cnf", encoding: .utf8)
        let password = options.split(separator: "\n").first { $0.hasPrefix("password = ") }.map { String($0.dropFirst(11)) } ?? ""
        return try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .unixSocket(path: "\(directory)/run/mysqld.sock"), user: "root", password: password), threadPool: testThreadPool)
    }

    /// A TCP connection to this node's MariaDB as `user`.
    func connection(user: String, password: String) async throws -> MariaDBConnection {
        try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .tcp(host: address, port: 3306), user: user, password: password), threadPool: testThreadPool)
    }

    /// Runs one query as root and answers its rows.
    func rootQuery(_ sql: SQL) async throws -> [MariaDBRow] {
        let connection = try await rootConnection()
        let rows = try await connection.query(sql)
        await connection.close()
        return rows
    }
}

/// Short, unique, removed-at-the-end directories (mariadbd's socket path must stay under 108 bytes).
enum TestDirectory {
    static func make() throws -> String {
        let path = "/tmp/cq-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Hands each test its own /24 of loopback addresses, so tests run in parallel without colliding.
enum TestAddresses {
    private static let next = Mutex(20)

    /// A fresh block number N, for the addresses `127.0.N.0/24`; a block another test
    /// process claimed, or where an agent or server port of nodes 1-3 is taken (what a
    /// killed run left), is skipped.
    static func block() -> Int {
        next.withLock { value in
            // The claim is never released: each block serves one test of this process.
            repeat { value += 1 } while claimLoopbackBlock(value, free: (1...3).flatMap { node -> [(address: String, port: UInt16)] in
                [("127.0.\(value).\(node)", 60000), ("127.0.\(value).\(node)", 3306)]
            }) == nil
            return value
        }
    }
}

/// Calls `method` on `agent` and answers the error message it gave (a success is a test failure).
func errorMessage(_ agent: TestAgent, _ method: String, kind: RPCMethodKind = .post, _ params: [String: JSONValue] = [:]) async throws -> String {
    do {
        let result = try await agent.client.call(method, kind: kind, params: params)
        throw TestFailure("\(method) succeeded with \(result)")
    } catch let error as RPCError {
        return error.message
    }
}
