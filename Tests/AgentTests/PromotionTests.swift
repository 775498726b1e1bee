import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// The agent side of a switchover: fence, catch up, promote with an epoch, follow the new master.
@Suite("Switchover steps on real agents", .serialized)
struct PromotionTests {
    @Test("fence, catch_up, set_up_replica_master and follow_master move the master without losing a row; older epochs are refused")
    func switchoverSteps() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.start(1)
            #expect(try await master.state()["read_only"]?.boolValue == true)  // every node starts read-only
            _ = try await master.client.call("set_up_replica_master", params: ["epoch": 0])
            #expect(try await master.state()["read_only"]?.boolValue == false)
            try await Fixtures.load(rows: 50, into: master)
            let replicas = [try await cluster.start(2), try await cluster.start(3)]
            for replica in replicas {
                _ = try await replica.client.call("set_up_replica_slave", params: ["master_host": .string(master.address)])
            }

            let fenced = try await master.client.call("fence", params: ["epoch": 1])
            let position = try #require(fenced["gtid_binlog_pos"]?.stringValue)
            #expect(try await master.state()["read_only"]?.boolValue == true)
            #expect(try await master.state()["epoch"]?.intValue == 1)
            let stale = try await errorMessage(master, "set_up_replica_master", ["epoch": 0])
            #expect(stale == "epoch 0 is older than this node's epoch 1")
            let missing = try await errorMessage(master, "set_up_replica_master", [:])
            #expect(missing == "this node follows the service's epochs (now 1); the call must carry one")

            let reached = try await replicas[0].client.call("catch_up", params: ["gtid": .string(position), "timeout": 30])
            #expect(reached["gtid_current_pos"]?.stringValue == position)
            _ = try await replicas[0].client.call("set_up_replica_master", params: ["epoch": 1, "semi_sync": true])
            let refused = try await errorMessage(master, "follow_master", ["epoch": 1, "master_host": .string(replicas[0].address)])
            #expect(refused == "this node is the master of its service; only a switchover demotes it")
            for follower in [replicas[1], master] {
                _ = try await follower.client.call("follow_master", params: [
                    "epoch": 1, "master_host": .string(replicas[0].address), "demote": .bool(follower.address == master.address),
                ])
            }
            let app = try await replicas[0].rootConnection()
            _ = try await app.execute("INSERT INTO shop.items (id, name) VALUES (777, 'after the switchover')")
            await app.close()
            let expected = try await Fixtures.checksum(of: replicas[0])
            for node in [master, replicas[1]] {
                try await eventually("\(node.address) follows the new master") { try await Fixtures.checksum(of: node) == expected }
                let state = try await node.state()
                #expect(state["role"]?.stringValue == "slave")
                #expect(state["read_only"]?.boolValue == true)
                #expect(state["replication"]?["master_host"]?.stringValue == replicas[0].address)
            }
            try await eventually("semi-sync acknowledges on the new master") {
                try await replicas[0].state()["semi_sync"]?["master_active"]?.boolValue == true
            }
        }
    }
}
