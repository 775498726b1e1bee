import Foundation
import JSONRPC
@testable import Manager
import MariaDB
import TestSupport

/// What the endpoint tests ask of a test manager: connections through its HAProxy, and HAProxy's own view.
extension TestManager {
    /// A connection as `shop` through the endpoint on `port` (3306 writer, 3307 reader).
    func endpointConnection(port: Int) async throws -> MariaDBConnection {
        try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .tcp(host: address, port: port), user: "shop", password: "s3cret-pw", timeoutSeconds: 5),
            threadPool: testThreadPool)
    }

    /// The service user the endpoint helpers log in as.
    func addShopUser() async throws {
        _ = try await client.call("configure_user", params: ["serviceNodeId": "all", "username": "shop", "password": "s3cret-pw"])
    }

    /// Adds `count` nodes, waits until they run, adds the service user and waits until
    /// the writer reaches the master; answers the master's `get_node_info`.
    func runningBehindTheWriter(_ count: Int) async throws -> JSONValue {
        _ = try await client.call("add_nodes", params: ["count": .int(count)])
        try await waitForRunning(count)
        try await addShopUser()
        let master = try await master()
        try await eventually("the writer reaches the master") {
            try await endpointServerID(port: 3306) == master["server_id"]?.intValue
        }
        return master
    }

    /// `@@server_id` through a new connection to the endpoint on `port`.
    func endpointServerID(port: Int) async throws -> Int? {
        let connection = try await endpointConnection(port: port)
        let row = try? await connection.query("SELECT @@server_id AS id").first
        await connection.close()
        return Int(row?["id"] ?? "")
    }

    /// The server ids `count` new reader connections reached.
    func readerServerIDs(count: Int) async throws -> [Int] {
        var ids: [Int] = []
        for _ in 0..<count { ids.append(try await endpointServerID(port: 3307) ?? 0) }
        return ids
    }

    /// The replicas HAProxy's reader serves (its replica slots out of maintenance), asked through the admin socket.
    func readerAddresses() async throws -> Set<String> {
        let admin = HAProxyAdmin(socketPath: "\(stateDirectory)/haproxy/admin.sock", threadPool: testThreadPool)
        let slots = EndpointPlanner.parseServersState(try await admin.send(["show servers state reader"]))
        return Set(slots.filter { !$0.inMaintenance && $0.id != HAProxyConfig.fallbackSlot }.map(\.address))
    }

    /// HAProxy's master process, from its pid file (pids wrap: the lowest is not always the master).
    func haproxyMasterPID() -> pid_t? {
        (try? String(contentsOfFile: "\(stateDirectory)/haproxy/haproxy.pid", encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// HAProxy's processes for this manager (master and workers).
    func haproxyPIDs() -> [pid_t] {
        processTable(matching: "\(stateDirectory)/haproxy/haproxy.cfg").filter { $0.command.contains("haproxy") }.map(\.pid)
    }
}
