import Foundation
import JSONRPC
import TestSupport
import Testing

/// The whole path: conpaassql-manager --cloud opennebula → XML-RPC → onesim
/// --boot local → boot-hook.sh → init.sh → agent → MariaDB.
@Suite("Manager on OpenNebula (onesim)", .serialized)
struct ManagerOpenNebulaTests {
    @Test("A master and two replicas through OpenNebula's API replicate a row; shutdown leaves no VM in the pool")
    func fullPath() async throws {
        try await TestManager.withOpenNebula { manager, sim in
            _ = try await manager.client.call("add_nodes", params: ["count": 3])
            try await manager.waitForRunning(3)
            let nodes = try await manager.nodes()
            #expect(nodes.filter { $0["role"] == "master" }.count == 1)
            #expect(nodes.allSatisfy { ($0["ip"]?.stringValue ?? "").hasPrefix("127.0.\(manager.block).") })
            _ = try await manager.client.call("configure_user", params: ["serviceNodeId": "all", "username": "shop", "password": "s3cret-pw"])
            let master = try #require(nodes.first { $0["role"] == "master" })
            let writer = try await connect(master, user: "shop", password: "s3cret-pw")
            try await writer.execute("CREATE DATABASE one_path")
            try await writer.execute("CREATE TABLE one_path.t (id INT PRIMARY KEY)")
            try await writer.execute("INSERT INTO one_path.t VALUES (42)")
            await writer.close()
            for replica in nodes where replica["role"] == "slave" {
                try await eventually("the row reaches \(replica["id"]!)") {
                    try await rows(on: replica, "SELECT id FROM one_path.t") == ["42"]
                }
            }
            #expect(try await sim.liveVMIDs().count == 3)
            _ = try await manager.client.call("shutdown")
            try await eventually("STOPPED", timeout: .seconds(60)) {
                try await manager.client.call("get_service_info", kind: .get)["state"] == "STOPPED"
            }
            try await eventually("no VM left in onesim") { try await sim.liveVMIDs().isEmpty }
        }
    }

    @Test("Allocation failures are retried and a VM that fails to boot is destroyed and replaced")
    func faults() async throws {
        // The first allocation fails; the VM it then gets (id 0) fails to boot; VM 1 is the one that runs.
        try await TestManager.withOpenNebula(faults: "allocate@0,fail@0") { manager, sim in
            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(1)
            let job = try await manager.client.call("get_job", kind: .get, params: ["id": 1])
            let create = try #require(job["tasks"]?.arrayValue?.first { $0["stage"] == "CREATE" })
            #expect(create["attempts"]?.intValue == 3)
            #expect(try await sim.liveVMIDs() == ["1"])
            let node = try #require(try await manager.nodes().first)
            #expect(node["vm_id"] == "1")
        }
    }

    @Test("A manager restarted mid-job reconciles with onesim's pool: no VM created twice")
    func restartMidJob() async throws {
        try await TestManager.withOpenNebula { manager, sim in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await eventually("VMs exist") { try await sim.liveVMIDs().count == 2 }
            await manager.kill(SIGKILL)
            try await manager.start()
            try await manager.waitForRunning(2)
            #expect(try await sim.liveVMIDs().count == 2)
        }
    }
}
