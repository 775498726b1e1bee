import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// Replicas seeded with `mariadb-backup` streamed agent to agent (real agents and mariadbd).
@Suite("Physical seeding through real agents", .serialized)
struct PhysicalSeedingTests {
    @Test("A replica copied physically from another replica, under writes, holds every row, keeps its own root password and replicates")
    func seededFromReplica() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.startMaster()
            _ = try await master.client.call("configure_user", params: ["username": "app", "password": "app-pw-1"])
            try await Fixtures.load(rows: 5_000, into: master)
            let first = try await cluster.start(2)
            _ = try await first.client.call("set_up_replica_slave", params: ["master_host": .string(master.address), "seed_from": .string(master.address), "seed_physical_min_bytes": 0])

            let second = try await cluster.start(3)
            let writer = Task { try await Fixtures.keepWriting(to: master, from: 100_000, count: 300) }
            _ = try await second.client.call("set_up_replica_slave", params: ["master_host": .string(master.address), "seed_from": .string(first.address), "seed_physical_min_bytes": 0])
            try await writer.value

            let expected = try await Fixtures.checksum(of: master)
            #expect(expected.count == 5_300)
            for replica in [first, second] {
                try await eventually("replica \(replica.address) has every row") { try await Fixtures.checksum(of: replica) == expected }
                let state = try await replica.state()
                #expect(state["role"]?.stringValue == "slave")
                #expect(state["read_only"]?.boolValue == true)
            }
            // The copy carried the source's root password; each node has its own again.
            let rows = try await second.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'root'")
            #expect(rows.first?["n"] == "1")
            let app = try await second.connection(user: "app", password: "app-pw-1")
            await app.close()
        }
    }

    @Test("A physical copy from an agent that cannot give one fails and leaves the replica's server as it was")
    func failedCopyKeepsData() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.startMaster()
            let replica = try await cluster.start(2)
            _ = try await replica.rootQuery("CREATE DATABASE keepme")
            // Nothing listens at .9: the copy cannot start.
            let message = try await errorMessage(replica, "set_up_replica_slave", ["master_host": .string(master.address), "seed_from": .string(cluster.address(9))])
            #expect(message.contains("cannot ask the seeding source"), "\(message)")
            try await replica.waitForState("RUNNING")
            let kept = try await replica.rootQuery("SHOW DATABASES LIKE 'keepme'")
            #expect(kept.count == 1)
        }
    }
}
