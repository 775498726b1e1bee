import Foundation
import JSONRPC
import MariaDB
import Testing
import TestSupport

/// What the health monitor does on its own between jobs, against a real manager,
/// agents and mariadbd: repairs, and the failovers it refuses to start.
@Suite("Health repairs")
struct HealthRepairTests {
    @Test("A replica that replicates from nothing (a failed repoint) is pointed back at the master, and rows reach it again")
    func replicaFollowsAgain() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(2)
            let master = try await manager.master()
            let replica = try #require(try await manager.nodes().first { $0["role"] == "slave" })
            let vmID = replica["vm_id"]!.stringValue!
            let root = try await manager.rootConnection(vmID: vmID)
            _ = try await root.execute("STOP SLAVE")
            _ = try await root.execute("RESET SLAVE ALL")
            await root.close()
            try await eventually("the monitor points the replica at the master again", timeout: .seconds(90)) {
                let root = try await manager.rootConnection(vmID: vmID)  // the repair may end the sessions it finds
                let status = try await root.query("SHOW SLAVE STATUS").first
                await root.close()
                return status?["Master_Host"] == master["ip"]?.stringValue && status?["Slave_IO_Running"] == "Yes"
            }
            #expect(manager.logTail(lines: 400).contains("a replica does not replicate from the master: pointing it at the master"))
            try await manager.insertAcknowledged(7, on: master)
            try await eventually("a new row reaches the replica") { try await manager.storedIDs(on: replica).contains(7) }
        }
    }

    @Test("A dead master whose every replica has a replication error is not failed over: no job, and the log says why")
    func noFailoverWithoutCandidate() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(3)
            let master = try await manager.master()
            let replicas = try await manager.nodes().filter { $0["role"] == "slave" }
            for replica in replicas { try await manager.plantConflictingRow(on: replica) }
            try await manager.insertAcknowledged(-1, on: master)
            try await eventually("both replicas stop on the duplicate row") {
                let nodes = try await manager.client.call("get_service_performance", kind: .get)["nodes"]
                return replicas.allSatisfy { nodes?[$0["id"]!.stringValue!]?["sql_running"] == "No" }
            }
            try signalVM(at: master["ip"]!.stringValue!, SIGKILL)
            try await eventually("the monitor finds the master dead and no replica to take over", timeout: .seconds(90)) {
                manager.logTail(lines: 400).contains("no failover until one can")
            }
            let jobs = try await manager.client.call("list_jobs", kind: .get)["jobs"]?.arrayValue ?? []
            #expect(!jobs.contains { $0["kind"] == "failover" }, "\(jobs)")
            #expect(try await manager.client.call("get_service_info", kind: .get)["epoch"] == 0)
        }
    }
}
