import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// `send_mysqldump` loads with the power of the service's users, no more, and only on a master.
@Suite("Loading user dumps on a real agent", .serialized)
struct DumpLoadingTests {
    @Test("A normal dump loads; dumps that touch service accounts or grant beyond users are refused and change no account")
    func restrictedLoads() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.startMaster()
            _ = try await master.client.call("configure_user", params: ["username": "app", "password": "app-pw-1"])
            try await loadDump(master, "CREATE DATABASE shop;\nCREATE TABLE shop.t (v VARCHAR(20));\nINSERT INTO shop.t VALUES ('a'), ('b');\n")
            #expect(try await master.rootQuery("SELECT COUNT(*) AS n FROM shop.t").first?.int("n") == 2)
            let accountsBefore = try await accounts(of: master)

            // The refused statement, then MariaDB's reason with the line.
            let hostile: [(dump: String, statement: String, reason: String)] = [
                ("DROP USER 'root'@'localhost';\n", "DROP USER 'root'@'localhost'", "ERROR 1227 (42000) at line 1"),
                ("INSERT INTO shop.t VALUES ('c');\nGRANT ALL PRIVILEGES ON *.* TO 'app'@'%' WITH GRANT OPTION;\n",
                 "GRANT ALL PRIVILEGES ON *.* TO 'app'@'%' WITH GRANT OPTION", "at line 2: Access denied"),
                ("CREATE USER 'eve'@'%' IDENTIFIED BY 'x';\n", "CREATE USER 'eve'@'%'", "CREATE USER privilege"),
                ("SET PASSWORD FOR 'root'@'localhost' = PASSWORD('owned');\n", "SET PASSWORD FOR 'root'@'localhost'", "to database 'mysql'"),
                ("SET GLOBAL read_only = ON;\n", "SET GLOBAL read_only = ON", "READ_ONLY ADMIN"),
                // DELETE, INSERT or UPDATE on the mysql schema would also allow DROP USER, CREATE USER, SET PASSWORD.
                ("DELETE FROM mysql.global_priv WHERE User = 'root';\n", "DELETE FROM mysql.global_priv", "DELETE command denied"),
                ("DROP TABLE mysql.global_priv;\n", "DROP TABLE mysql.global_priv", "DROP command denied"),
            ]
            for (dump, statement, reason) in hostile {
                let message = try await dumpError(master, dump)
                #expect(message.hasPrefix("mariadb failed (exit 1): \(statement)"), "\(dump): \(message)")
                #expect(message.contains(reason), "\(dump): \(message)")
                #expect(try await accounts(of: master) == accountsBefore, "\(dump) changed an account")
            }
            // The users the service makes have the same limits, and their data rights.
            let app = try await master.connection(user: "app", password: "app-pw-1")
            try await app.execute("INSERT INTO shop.t VALUES ('by app')")
            await #expect(throws: MariaDBError.self) { try await app.execute("DROP USER 'root'@'localhost'") }
            await #expect(throws: MariaDBError.self) { try await app.execute("UPDATE mysql.global_priv SET Priv = '{}'") }
            await app.close()
            #expect(try await accounts(of: master) == accountsBefore)
            // Root still logs in; the agent still changes its server; no loader account or credentials left behind.
            _ = try await master.client.call("configure_user", params: ["username": "app2", "password": "app-pw-2"])
            #expect(try await master.state()["read_only"]?.boolValue == false)
            #expect(try await master.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User LIKE 'conpaas_dump%'").first?.int("n") == 0)
            #expect(!FileManager.default.fileExists(atPath: "\(master.directory)/run/dump-loader.cnf"))
            let users = try await master.client.call("get_all_users", kind: .get)["users"]?.arrayValue ?? []
            #expect(Set(users.compactMap { $0["username"]?.stringValue }) == ["app", "app2"])
        }
    }

    @Test("A dump admitted while a node turns into a replica is refused there (the role check waits for the lock)")
    func roleCheckedUnderTheLock() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.start(1)
            let replica = try await cluster.start(2)
            _ = try await master.client.call("set_up_replica_master")
            try await Fixtures.load(rows: 5, into: master)
            // A table lock on the master stalls the snapshot, so the replica's set-up holds its agent's lock.
            let blocker = try await master.rootConnection()
            try await blocker.execute("LOCK TABLES shop.items WRITE")
            let setUp = Task {
                try await replica.client.call("set_up_replica_slave", params: ["master_host": .string(master.address)])
            }
            try await eventually("the master's snapshot waits for the table lock") {
                try await master.rootQuery("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE state LIKE 'Waiting for backup lock%'")
                    .first?.int("n") ?? 0 > 0
            }
            let dump = Task { try await dumpError(replica, "CREATE DATABASE errant;\n") }
            try await eventually("the dump is uploaded to the replica's agent") {
                !((try? FileManager.default.contentsOfDirectory(atPath: "\(replica.directory)/uploads")) ?? []).isEmpty
            }
            try await blocker.execute("UNLOCK TABLES")
            await blocker.close()
            _ = try await setUp.value
            #expect(try await dump.value == "this node is a read-only replica; load dumps on the master")
            #expect(try await replica.rootQuery("SHOW DATABASES LIKE 'errant'").isEmpty)
            #expect(try await replica.state()["replication"]?["sql_running"]?.stringValue == "Yes")
        }
    }

    private func accounts(of agent: TestAgent) async throws -> [String] {
        try await agent.rootQuery("SELECT CONCAT(User, '@', Host, ' ', Priv) AS account FROM mysql.global_priv ORDER BY User, Host")
            .compactMap { $0["account"] }
    }
}

/// Uploads `sql` to `agent` with `send_mysqldump`.
private func loadDump(_ agent: TestAgent, _ sql: String) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString).sql").path
    try Data(sql.utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    _ = try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: path)
}

/// The error `send_mysqldump` gives for `sql` (a success is a test failure).
private func dumpError(_ agent: TestAgent, _ sql: String) async throws -> String {
    do {
        try await loadDump(agent, sql)
        throw TestFailure("the dump loaded: \(sql)")
    } catch let error as RPCError {
        return error.message
    }
}
