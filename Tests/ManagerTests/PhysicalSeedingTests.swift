import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// New replicas seeded with mariadb-backup, through a real manager on the local cloud.
@Suite("Physical seeding", .serialized)
struct ManagerPhysicalSeedingTests {
    @Test("A replica added next to a master holding about 200 MB is seeded physically, holds every row and replicates later writes")
    func seedsLargeMaster() async throws {
        try await TestManager.with { manager in
            let master = try await manager.masterHoldingBigTable(rows: 800_000)

            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(2, timeout: .seconds(600))
            let replica = try #require(try await manager.nodes().first { $0["id"] != master["id"] })
            #expect(try await rows(on: replica, "SELECT COUNT(*) FROM big.rows") == ["800000"])
            let log = "\(manager.stateDirectory)/cloud/vms/2/agent/node/log"
            #expect(FileManager.default.fileExists(atPath: "\(log)/backup-prepare.err"), "the replica was not seeded with mariadb-backup")
            let writer = try await connect(master, user: "shop", password: "s3cret-pw")
            _ = try await writer.execute("INSERT INTO big.rows VALUES (900000, 'after the seed')")
            await writer.close()
            try await eventually("the later write reaches the replica") {
                try await rows(on: replica, "SELECT pad FROM big.rows WHERE id = 900000") == ["after the seed"]
            }
        }
    }
}

extension TestManager {
    /// A one-node service whose master holds `big.rows`: `rows` rows of about 250 bytes,
    /// written as the service user `shop` (100,000 rows a statement).
    func masterHoldingBigTable(rows: Int) async throws -> JSONValue {
        _ = try await client.call("add_nodes", params: ["count": 1])
        try await waitForRunning(1)
        _ = try await client.call("configure_user", params: ["serviceNodeId": "all", "username": "shop", "password": "s3cret-pw"])
        let master = try await master()
        let connection = try await connect(master, user: "shop", password: "s3cret-pw")
        _ = try await connection.execute("CREATE DATABASE big")
        _ = try await connection.execute("CREATE TABLE big.rows (id INT PRIMARY KEY, pad VARCHAR(255) NOT NULL)")
        for first in stride(from: 1, through: rows, by: 100_000) {
            let sequence = try SQLIdentifier("seq_\(first)_to_\(min(first + 99_999, rows))")
            _ = try await connection.execute("INSERT INTO big.rows SELECT seq, RPAD(seq, 240, 'x') FROM big.\(sequence)")
        }
        await connection.close()
        return master
    }
}
