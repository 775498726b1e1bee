import Foundation
import JSONRPC
import MariaDB
import Synchronization
import TestSupport

/// A client that inserts numbered rows into `ha.acked` one after another,
/// every `interval`, through whichever node the manager reports as master
/// (asked again after every error), and records each row whose INSERT was
/// acknowledged and when: what a failover must never lose.
final class AcknowledgedWriter: Sendable {
    private struct State {
        var acknowledged: [(id: Int, at: ContinuousClock.Instant)] = []
        var errors = 0
        var stop = false
    }

    let manager: TestManager
    let interval: Duration
    private let state = Mutex(State())

    init(manager: TestManager, interval: Duration = .milliseconds(5)) {
        self.manager = manager
        self.interval = interval
    }

    /// Creates the table as the service user `shop` (configured on every node).
    func prepare() async throws {
        _ = try await manager.client.call("configure_user", params: ["serviceNodeId": "all", "username": "shop", "password": "s3cret-pw"])
        let connection = try await connectToMaster()
        _ = try await connection.execute("CREATE DATABASE IF NOT EXISTS ha")
        _ = try await connection.execute("CREATE TABLE IF NOT EXISTS ha.acked (id INT PRIMARY KEY, at DATETIME(6) NOT NULL)")
        await connection.close()
    }

    /// Writes until ``finish()``.
    func run() async {
        var next = 1
        var connection: MariaDBConnection?
        while !state.withLock({ $0.stop }) {
            do {
                if connection == nil { connection = try await connectToMaster() }
                _ = try await connection!.execute("INSERT INTO ha.acked VALUES (\(literal: next), NOW(6))")
                let id = next
                state.withLock { $0.acknowledged.append((id, .now)) }
                next += 1
            } catch {
                state.withLock { $0.errors += 1 }
                await connection?.close()
                connection = nil
                next += 1  // the failed row may or may not exist: never reuse its id
                try? await Task.sleep(for: .milliseconds(20))
                continue
            }
            try? await Task.sleep(for: interval)
        }
        await connection?.close()
    }

    /// Stops the writing.
    func finish() { state.withLock { $0.stop = true } }

    /// Every acknowledged id.
    var acknowledged: [Int] { state.withLock { $0.acknowledged.map(\.id) } }

    /// How many acknowledged rows there are after `instant`.
    func acknowledgedCount(after instant: ContinuousClock.Instant) -> Int {
        state.withLock { $0.acknowledged.filter { $0.at > instant }.count }
    }

    /// The longest time between two acknowledged writes.
    var longestGap: Duration {
        state.withLock { state in
            zip(state.acknowledged, state.acknowledged.dropFirst()).map { $1.at - $0.at }.max() ?? .zero
        }
    }

    /// A connection to the node the manager reports as master, as `shop`.
    private func connectToMaster() async throws -> MariaDBConnection {
        let info = try await manager.client.call("get_service_info", kind: .get)
        guard let master = info["master"]?.stringValue else { throw TestFailure("no master") }
        let node = try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": .string(master)])["serviceNode"] ?? .null
        return try await MariaDBConnection.connect(MariaDBConfiguration(
            endpoint: .tcp(host: node["ip"]?.stringValue ?? "", port: 3306), user: "shop", password: "s3cret-pw", timeoutSeconds: 2),
            threadPool: testThreadPool)
    }
}

/// Signals every process of the session the agent at `address` runs in (its whole VM on the local cloud).
func signalVM(at address: String, _ signal: Int32) throws {
    guard let pid = agentPID(serving: address) else {
        throw TestFailure("no agent runs at \(address)")
    }
    guard let session = sessionID(of: pid) else { throw TestFailure("cannot read the session of \(pid)") }
    let members = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { sessionID(of: $0) == session }
    for member in members { kill(member, signal) }
}

/// The session id of `pid` (field 6 of /proc/PID/stat).
func sessionID(of pid: Int32) -> Int32? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: end)...].split(separator: " ")
    return fields.count > 3 ? Int32(fields[3]) : nil
}

extension TestManager {
    /// The nodes whose mariadbd accepts writes (`read_only` off), as their agents report it.
    func writableNodes() async throws -> [String] {
        var writable: [String] = []
        for node in try await nodes() where node["state"] != "TERMINATED" {
            guard let address = node["ip"]?.stringValue else { continue }
            let agent = RPCClient(baseURL: "http://\(address):60000", token: serviceSecret, timeout: .seconds(5))
            guard let status = try? await agent.call("get_server_state", kind: .get)["return"] else { continue }
            if status["read_only"] == false { writable.append(node["id"]?.stringValue ?? "?") }
        }
        return writable
    }

    /// Adds `count` nodes, waits until they all run, and makes the service user and
    /// `ha.acked` (``AcknowledgedWriter/prepare()``); answers the writer, not yet writing.
    @discardableResult
    func runningWithAcknowledgedTable(_ count: Int) async throws -> AcknowledgedWriter {
        _ = try await client.call("add_nodes", params: ["count": .int(count)])
        try await waitForRunning(count)
        let writer = AcknowledgedWriter(manager: self)
        try await writer.prepare()
        return writer
    }

    /// Writes row -1 into `ha.acked` on `replica` alone (binlog off): when the master writes
    /// the same key, the replica's SQL thread stops with a duplicate-key error.
    func plantConflictingRow(on replica: JSONValue) async throws {
        let root = try await rootConnection(vmID: replica["vm_id"]!.stringValue!)
        // The table reaches the replica by replication, which a loaded machine may not have applied yet.
        try await eventually("the replica has ha.acked") { (try? await root.query("SELECT 1 FROM ha.acked LIMIT 1")) != nil }
        _ = try await root.execute("SET SESSION sql_log_bin = 0")
        _ = try await root.execute("INSERT INTO ha.acked VALUES (-1, NOW(6))")
        await root.close()
    }

    /// Inserts row `id` into `ha.acked` on `node`, as the service user.
    func insertAcknowledged(_ id: Int, on node: JSONValue) async throws {
        let connection = try await connect(node, user: "shop", password: "s3cret-pw")
        _ = try await connection.execute("INSERT INTO ha.acked VALUES (\(literal: id), NOW(6))")
        await connection.close()
    }

    /// The ids in `ha.acked` on `node`, as the service user.
    func storedIDs(on node: JSONValue) async throws -> Set<Int> {
        Set(try await rows(on: node, "SELECT id FROM ha.acked").compactMap { $0.flatMap(Int.init) })
    }

    /// The node the manager reports as master, with its `get_node_info`.
    func master() async throws -> JSONValue {
        let id = try await client.call("get_service_info", kind: .get)["master"] ?? .null
        return try await client.call("get_node_info", kind: .get, params: ["serviceNodeId": id])["serviceNode"] ?? .null
    }

    /// Waits until a switchover or failover away from `old` has promoted a node, then until its job ends; answers the job.
    func waitForFailover(from old: JSONValue) async throws -> JSONValue {
        var job = 0
        try await eventually("a failover from \(old["id"] ?? .null) ends", timeout: .seconds(120)) {
            let last = try await client.call("get_service_info", kind: .get)["last_failover"]
            job = last?["job"]?.intValue ?? 0
            return last?["from"] == old["id"]
        }
        return try await waitForJob(job)
    }

    /// Waits until job `id` has ended; answers it.
    func waitForJob(_ id: Int, timeout: Duration = .seconds(180)) async throws -> JSONValue {
        var job: JSONValue = .null
        try await eventually("job \(id) ends", timeout: timeout) {
            job = try await client.call("get_job", kind: .get, params: ["id": .int(id)])
            return job["state"] != "RUNNING"
        }
        return job
    }
}
