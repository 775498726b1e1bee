@testable import Agent
import Logging
import MariaDB
import TestSupport
import Testing

/// Table DDL is held back while snapshots are dumped, on a real mariadbd.
@Suite("Table changes wait for snapshots", .serialized)
struct DDLFreezeTests {
    @Test("While a snapshot runs, ALTER TABLE waits and rows, accounts and temporary tables go on; overlapping snapshots share the lock")
    func ddlWaits() async throws {
        try await TestCluster.with { cluster in
        let agent = try await cluster.start(1)
        _ = try await agent.rootQuery("CREATE DATABASE IF NOT EXISTS shop")
        _ = try await agent.rootQuery("CREATE TABLE shop.notes (id INT PRIMARY KEY)")
        let database = LocalDatabase(paths: AgentPaths(root: agent.directory), threadPool: testThreadPool, logger: Logger(label: "test.freeze"))
        let freeze = DDLFreeze(database: database)
        let other = try await agent.rootConnection()
        try await other.execute("SET SESSION lock_wait_timeout = 1")

        try await freeze.during {
            try await freeze.during {
                try await other.execute("INSERT INTO shop.notes VALUES (1)")
                try await other.execute("CREATE OR REPLACE USER 'freeze_check'@'localhost' IDENTIFIED BY 'pw-1'")
                try await other.execute("CREATE TEMPORARY TABLE shop.scratch (id INT)")
            }
            // The inner snapshot ended; the outer one still holds DDL back.
            let refused = await #expect(throws: MariaDBError.self) {
                try await other.execute("ALTER TABLE shop.notes ADD COLUMN note VARCHAR(8)")
            }
            #expect(refused?.serverErrorNumber == 1205)  // ER_LOCK_WAIT_TIMEOUT
        }
        try await other.execute("ALTER TABLE shop.notes ADD COLUMN note VARCHAR(8)")
        try await other.execute("DROP USER 'freeze_check'@'localhost'")
        await other.close()
        #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM shop.notes").first?.int("n") == 1)
        }
    }

    @Test("A snapshot that cannot take the lock in time fails with the reason; once the lock is free, the next one works")
    func lockTimeout() async throws {
        try await TestCluster.with { cluster in
        let agent = try await cluster.start(1)
        let database = LocalDatabase(paths: AgentPaths(root: agent.directory), threadPool: testThreadPool, logger: Logger(label: "test.freeze"))
        let freeze = DDLFreeze(database: database, lockWaitSeconds: 1)
        let blocker = try await agent.rootConnection()
        try await blocker.execute("BACKUP STAGE START")
        let error = await #expect(throws: AgentError.self) { try await freeze.during {} }
        #expect(error?.message.hasPrefix("cannot hold table changes back for the snapshot: ") == true)
        #expect(error?.message.contains("Lock wait timeout exceeded") == true)
        try await blocker.execute("BACKUP STAGE END")
        await blocker.close()
        #expect(try await freeze.during { true })
        }
    }
}
