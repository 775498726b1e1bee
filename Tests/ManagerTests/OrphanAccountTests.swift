import ConPaaSCore
import Foundation
import JSONRPC
import MariaDB
@testable import Manager
import TestSupport
import Testing

@Suite("Replication accounts left by replicas drained without a master")
struct OrphanAccountTests {
    private func node(_ id: String, address: String, role: NodeRole = .slave, state: NodeState) -> NodeRecord {
        NodeRecord(id: id, number: Int(id.dropFirst(5)) ?? 0, vmID: "7", address: address, role: role, state: state, serverID: 2, jobID: nil,
                   stage: nil, attempts: 0, createRequested: false, stageStartedAt: nil, lastSeen: nil, agentState: nil, createdAt: Date())
    }

    @Test("Drops wait for a running master; an address a live node uses again is forgotten, not dropped")
    func decisions() {
        let master = node("node-1", address: "10.0.0.1", role: .master, state: .running)
        let nodes = [
            master, node("node-2", address: "10.0.0.2", state: .terminated), node("node-3", address: "10.0.0.3", state: .running),
            node("node-4", address: "10.0.0.4", state: .removing),
        ]
        let orphans = ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
        #expect(OrphanAccountPlanner.cleanup(orphans: orphans, nodes: nodes, master: master)
            == .init(masterAddress: "10.0.0.1", drop: ["10.0.0.2", "10.0.0.4"], forget: ["10.0.0.3"]))
        #expect(OrphanAccountPlanner.cleanup(orphans: orphans, nodes: nodes, master: nil) == .init(forget: ["10.0.0.3"]))
        var failed = master
        failed.state = .failed
        #expect(OrphanAccountPlanner.cleanup(orphans: orphans, nodes: nodes, master: failed) == .init(forget: ["10.0.0.3"]))
    }

    @Test("Records are idempotent and forgotten one by one")
    func records() async throws {
        try await withTemporaryStore { store, path in
            try await store.recordOrphanAccount(replicaHost: "10.0.0.2")
            try await store.recordOrphanAccount(replicaHost: "10.0.0.3")
            try await store.recordOrphanAccount(replicaHost: "10.0.0.2")
            #expect(try await store.orphanAccounts() == ["10.0.0.2", "10.0.0.3"])
            try await store.forgetOrphanAccount(replicaHost: "10.0.0.2")
            #expect(try await ManagerStore(path: path).orphanAccounts() == ["10.0.0.3"])
        }
    }

    @Test("A replica removed while the master is frozen leaves its account until the master answers again, then it is dropped", .timeLimit(.minutes(10)))
    func droppedOnceTheMasterIsBack() async throws {
        try await TestManager.with(extraArguments: ["--auto-failover", "off", "--heal", "off", "--health-timeout", "2"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let master = try await manager.master()
            let masterIP = try #require(master["ip"]?.stringValue)
            let masterVM = try #require(master["vm_id"]?.stringValue)
            let replicaIP = try #require(try await manager.nodes().first { $0["id"] == "node-2" }?["ip"]?.stringValue)
            let accountName = "conpaas_repl_" + String(replicaIP.map { $0.isLetter || $0.isNumber ? $0 : "_" })
            #expect(try await accounts(named: accountName, manager: manager, vmID: masterVM) == 1)

            try signalVM(at: masterIP, SIGSTOP)
            try await eventually("the master is FAILED", timeout: .seconds(60)) { try await manager.master()["state"] == "FAILED" }
            let job = try await manager.client.call("remove_nodes", params: ["serviceNodeId": "node-2"])["job"]?.intValue ?? 0
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            try signalVM(at: masterIP, SIGCONT)
            try await eventually("the master runs again", timeout: .seconds(60)) { try await manager.master()["state"] == "RUNNING" }
            try await eventually("the drained replica's account is dropped on the master", timeout: .seconds(60)) {
                try await accounts(named: accountName, manager: manager, vmID: masterVM) == 0
            }
        }
    }

    private func accounts(named name: String, manager: TestManager, vmID: String) async throws -> Int {
        let connection = try await manager.rootConnection(vmID: vmID)
        let rows = try await connection.query("SELECT COUNT(*) AS n FROM mysql.user WHERE User = \(literal: name)")
        await connection.close()
        return rows.first?.int("n") ?? -1
    }
}
