import AsyncHTTPClient
import Foundation
import JSONRPC
import TestSupport
import Testing

/// A master whose `mariadb-dump` fails says why at the end of the snapshot stream.
@Suite("Failed snapshots on real agents", .serialized)
struct SnapshotFailureTests {
    @Test("The stream never says the dump completed: its last line gives mariadb-dump's reason")
    func brokenStream() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.startMaster()
            try await Fixtures.load(rows: 5, into: master)
            try await breakDumps(on: master)
            var request = HTTPClientRequest(url: "http://\(master.address):60000/snapshot")
            request.headers.add(name: "Authorization", value: "Bearer \(TestAgent.secret)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)  // sent before mariadb-dump could fail
            var received = ""
            for try await chunk in response.body { received += String(buffer: chunk) }
            #expect(!received.contains("-- Dump completed"))
            let lastLine = received.split(separator: "\n").last.map(String.init) ?? ""
            #expect(lastLine.hasPrefix("-- ConPaaS snapshot failed: mariadb-dump failed (exit 2)"), "\(lastLine)")
            #expect(lastLine.contains("1356"))
        }
    }

    @Test("A replica seeded from such a master fails with the master's reason and stays as it was")
    func replicaSeesTheReason() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.start(1)
            let replica = try await cluster.start(2)
            _ = try await master.client.call("set_up_replica_master")
            try await Fixtures.load(rows: 5, into: master)
            try await breakDumps(on: master)
            let message = try await errorMessage(replica, "set_up_replica_slave", ["master_host": .string(master.address)])
            #expect(message.hasPrefix("the master agent at http://\(master.address):60000 could not take the snapshot: mariadb-dump failed (exit 2)"), "\(message)")
            #expect(message.contains("1356"))
            #expect(try await replica.state()["replication"] == nil)
            #expect(try await master.state()["state"]?.stringValue == "RUNNING")
        }
    }

    /// A view over a dropped table: `mariadb-dump` stops on it with error 1356.
    private func breakDumps(on master: TestAgent) async throws {
        let connection = try await master.rootConnection()
        try await connection.execute("CREATE TABLE shop.gone (v INT)")
        try await connection.execute("CREATE VIEW shop.broken AS SELECT v FROM shop.gone")
        try await connection.execute("DROP TABLE shop.gone")
        await connection.close()
    }
}
