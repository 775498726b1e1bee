import AsyncHTTPClient
import Foundation
import JSONRPC
import TestSupport
import Testing

/// `restore_backup` through real agents and mariadbd, from a stand-in for the manager's backup store.
@Suite("Restoring a backup through real agents", .serialized)
struct RestoreTests {
    @Test("A node awaiting a restore starts MariaDB only on the backup's copy: a broken copy leaves it awaiting; restore_backup on a running node replaces its data")
    func awaitingRestore() async throws {
        try await TestCluster.with { cluster in
            let master = try await cluster.startMaster()
            try await Fixtures.load(rows: 3_000, into: master)
            let expected = try await Fixtures.checksum(of: master)
            let store = cluster.directory(250)
            try await saveBackup(of: master, to: "\(store)/backups/1/backup.xbstream.zst")
            try Data("not a backup".utf8).write(to: URL(fileURLWithPath: "\(store)/backups/2/backup.xbstream.zst"))
            let files = try await BackupFileServer(address: cluster.address(250), directory: store)
            do {
                let node = try await cluster.start(2, managerURL: files.url, awaitRestore: true)
                #expect(try await errorMessage(node, "start_server").contains("awaits restore_backup"))
                #expect(!FileManager.default.fileExists(atPath: "\(node.directory)/data"))

                let broken = try await errorMessage(node, "restore_backup", ["backup": "backups/2/backup.xbstream.zst"])
                #expect(broken.contains("zstd"), "\(broken)")
                #expect(try await node.state()["state"] == "AWAITING_RESTORE")
                for leftover in ["data", "data.incoming", "run/reset-root.sql"] {
                    #expect(!FileManager.default.fileExists(atPath: "\(node.directory)/\(leftover)"), "\(leftover) left behind")
                }

                let restored = try await node.client.call("restore_backup", params: ["backup": "backups/1/backup.xbstream.zst"])
                #expect(restored["backup_gtid"]?.stringValue?.isEmpty == false)
                #expect(try await node.state()["state"] == "RUNNING")
                #expect(try await Fixtures.checksum(of: node) == expected)
                #expect(try starts(of: node) == 1, "mariadbd started before the copy was in place")
                // The node's own root password (client.cnf), not the master's.
                #expect(try await node.rootQuery("SELECT COUNT(*) AS n FROM mysql.user WHERE User = 'root'").first?["n"] == "1")

                // A manager restarted during a restore asks again: the running node's data is replaced.
                _ = try await node.client.call("restore_backup", params: ["backup": "backups/1/backup.xbstream.zst"])
                #expect(try await Fixtures.checksum(of: node) == expected)
                #expect(try starts(of: node) == 2)
            } catch {
                await files.stop()
                throw error
            }
            await files.stop()
        }
    }

    /// Streams a compressed backup of `agent` from its `/backup` into `path`.
    private func saveBackup(of agent: TestAgent, to path: String) async throws {
        var request = HTTPClientRequest(url: "http://\(agent.address):60000/backup?token=restoretest1&compress=zstd")
        request.headers.add(name: "Authorization", value: "Bearer \(TestAgent.secret)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        #expect(response.status == .ok)
        let body = try await response.body.collect(upTo: 1 << 28)
        for directory in ["1", "2"] {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(directory).path,
                withIntermediateDirectories: true)
        }
        try Data(body.readableBytesView).write(to: URL(fileURLWithPath: path))
    }

    /// How many times mariadbd became ready on `agent` (its error log says so at each start).
    private func starts(of agent: TestAgent) throws -> Int {
        try String(contentsOfFile: "\(agent.directory)/log/error.log", encoding: .utf8).components(separatedBy: "ready for connections").count - 1
    }
}
