import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// Real agents, real mariadbd processes, real replication on loopback.
@Suite("Replication through real agents", .serialized)
struct ReplicationTests {
    @Test("A loaded master seeds two replicas; later writes reach both; replicas refuse writes")
    func seededReplicas() async throws {
        try await TestCluster.with { cluster in
        let master = try await cluster.start(1)

        _ = try await master.client.call("set_up_replica_master")
        _ = try await master.client.call("configure_user", params: ["username": "app", "password": "app-pw-1"])
        try await Fixtures.load(rows: 10_000, into: master)

        let replicas = [try await cluster.start(2), try await cluster.start(3)]
        // Writes keep arriving on the master while the replicas are seeded.
        let writer = Task { try await Fixtures.keepWriting(to: master, from: 100_000, count: 300) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for replica in replicas {
                group.addTask {
                    _ = try await replica.client.call("set_up_replica_slave", params: ["master_host": .string(master.address)])
                }
            }
            try await group.waitForAll()
        }
        try await writer.value

        let expected = try await Fixtures.checksum(of: master)
        #expect(expected.count == 10_300)
        for replica in replicas {
            try await eventually("replica \(replica.address) has every row") {
                try await Fixtures.checksum(of: replica) == expected
            }
            let state = try await replica.state()
            #expect(state["role"]?.stringValue == "slave")
            #expect(state["read_only"]?.boolValue == true)
            #expect(state["replication"]?["io_running"]?.stringValue == "Yes")
            #expect(state["replication"]?["sql_running"]?.stringValue == "Yes")
        }

        let app = try await master.connection(user: "app", password: "app-pw-1")
        try await app.execute("INSERT INTO shop.items (id, name) VALUES (999999, 'late row')")
        await app.close()
        for replica in replicas {
            try await eventually("the late row reaches \(replica.address)") {
                try await replica.rootQuery("SELECT name FROM shop.items WHERE id = 999999").first?["name"] == "late row"
            }
            let onReplica = try await replica.connection(user: "app", password: "app-pw-1")
            let refused = await #expect(throws: MariaDBError.self) {
                try await onReplica.execute("INSERT INTO shop.items (id, name) VALUES (1000000, 'must fail')")
            }
            #expect(refused?.serverErrorNumber == 1290)  // ER_OPTION_PREVENTS_STATEMENT: --read-only
            await onReplica.close()
        }
        }
    }

    @Test("A table altered while a replica is being seeded: the ALTER waits for the snapshot, then replicates")
    func tableAlteredDuringSeeding() async throws {
        try await TestCluster.with { cluster in
        let master = try await cluster.startMaster()
        // The heartbeat table exists as soon as the node is master: no DDL of ours lands in a dump.
        #expect(try await master.rootQuery("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'conpaas_heartbeat'").first?.int("n") == 1)
        try await Fixtures.load(rows: 100_000, into: master)
        _ = try await master.rootQuery("CREATE TABLE shop.z_notes (id INT PRIMARY KEY, note VARCHAR(32))")
        _ = try await master.rootQuery("INSERT INTO shop.z_notes VALUES (1, 'before'), (2, 'seeding')")
        let replica = try await cluster.start(2)

        let seeding = Task { try await replica.client.call("set_up_replica_slave", params: ["master_host": .string(master.address)]) }
        // As soon as mariadb-dump reads a table, alter one it dumps later (an instant ALTER, no error:
        // without the freeze the dump would carry the new column and the replica replay the ALTER again).
        let watcher = try await master.rootConnection()
        for _ in 0..<3000 {
            let dumping = try await watcher.query(
                "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT /*!40001 SQL_NO_CACHE */%' AND ID <> CONNECTION_ID()")
            if dumping.first?.int("n") ?? 0 > 0 { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await watcher.execute("ALTER TABLE shop.z_notes ADD COLUMN added INT NOT NULL DEFAULT 7")
        await watcher.close()
        _ = try await seeding.value

        _ = try await master.rootQuery("INSERT INTO shop.z_notes (id, note) VALUES (3, 'after')")
        try await eventually("the later row reaches the replica") {
            try await replica.rootQuery("SELECT COUNT(*) AS n FROM shop.z_notes WHERE added = 7").first?.int("n") == 3
        }
        let replication = try await replica.state()["replication"]
        #expect(replication?["sql_running"]?.stringValue == "Yes")
        #expect(try await Fixtures.checksum(of: replica) == Fixtures.checksum(of: master))
        }
    }

    @Test("The classic file/position form replicates from a fresh master, heartbeats included")
    func classicForm() async throws {
        try await TestCluster.with { cluster in
        let master = try await cluster.start(1)
        let replica = try await cluster.start(2)

        let coordinates = try await master.client.call("set_up_replica_master")
        let file = try #require(coordinates["master_log_file"]?.stringValue)
        let position = try #require(coordinates["master_log_pos"]?.intValue)
        #expect(coordinates["master_host"]?.stringValue == master.address)
        _ = try await replica.client.call("set_up_replica_slave", params: [
            "master_host": .string(master.address), "master_log_file": .string(file),
            "master_log_pos": .int(position), "slave_server_id": 77,
        ])
        try await expectReplicating(from: master, to: replica, database: "classic")
        let state = try await replica.state()
        #expect(state["server_id"]?.intValue == 77)
        #expect(state["replication"]?["using_gtid"]?.stringValue == "No")
        }
    }

    @Test("The GTID form with an account and a position replicates without seeding, heartbeats included")
    func gtidForm() async throws {
        try await TestCluster.with { cluster in
        let master = try await cluster.start(1)
        let replica = try await cluster.start(2)

        let coordinates = try await master.client.call("set_up_replica_master")
        let gtid = try #require(coordinates["gtid"]?.stringValue)
        let account = try await master.client.call("create_replication_user", params: ["replica_host": .string(replica.address)])
        _ = try await replica.client.call("set_up_replica_slave", params: [
            "master_host": .string(master.address), "master_port": 3306,
            "user": account["user"] ?? .null, "password": account["password"] ?? .null, "gtid": .string(gtid),
        ])
        try await expectReplicating(from: master, to: replica, database: "by_gtid")
        #expect(try await replica.state()["replication"]?["using_gtid"]?.stringValue == "Slave_Pos")
        }
    }

    /// The master's heartbeats reach the replica (its table came with no seed) and
    /// replication keeps running; then a new table and row arrive too.
    private func expectReplicating(from master: TestAgent, to replica: TestAgent, database name: String) async throws {
        let database = try SQLIdentifier(name)
        try await eventually("a heartbeat reaches the replica") {
            try await replica.rootQuery("SELECT COUNT(*) AS n FROM conpaas_heartbeat.beat").first?.int("n") == 1
        }
        try await Task.sleep(for: .seconds(1.5))  // more beats, each applied as a row change
        #expect(try await replica.state()["replication"]?["sql_running"]?.stringValue == "Yes")
        _ = try await master.rootQuery("CREATE DATABASE \(database)")
        _ = try await master.rootQuery("CREATE TABLE \(database).t (id INT PRIMARY KEY)")
        _ = try await master.rootQuery("INSERT INTO \(database).t VALUES (42)")
        try await eventually("the row reaches the replica") {
            try await replica.rootQuery("SELECT id FROM \(database).t").first?["id"] == "42"
        }
    }

    @Test("A killed mariadbd is restarted by its agent and replication resumes")
    func restartAfterKill() async throws {
        try await TestCluster.with { cluster in
        let master = try await cluster.start(1)
        let replica = try await cluster.start(2)
        _ = try await master.client.call("set_up_replica_master")
        try await Fixtures.load(rows: 10, into: master)
        _ = try await replica.client.call("set_up_replica_slave", params: ["master_host": .string(master.address)])

        for agent in [replica, master] {
            let before = try await agent.state()
            let pid = try #require(before["pid"]?.intValue)
            kill(pid_t(pid), SIGKILL)
            try await eventually("\(agent.address) restarts mariadbd", timeout: .seconds(60)) {
                let state = try await agent.state()
                return state["state"]?.stringValue == "RUNNING" && state["pid"]?.intValue != pid
            }
            #expect(try await agent.state()["restarts"]?.intValue == 1)
        }
        _ = try await master.rootQuery("INSERT INTO shop.items (id, name) VALUES (424242, 'after the crash')")
        try await eventually("replication resumed", timeout: .seconds(30)) {
            try await replica.rootQuery("SELECT name FROM shop.items WHERE id = 424242").first?["name"] == "after the crash"
        }
        #expect(try await replica.state()["read_only"]?.boolValue == true)
        }
    }
}
