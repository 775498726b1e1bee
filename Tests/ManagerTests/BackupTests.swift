import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import NIOCore
import TestSupport
import Testing

/// Backups, the binlog archive and restores on the local cloud: real manager,
/// agents, mariadbd and mariadb-backup.
@Suite("Backups and restores", .serialized)
struct BackupTests {
    @Test("A backup taken under writes, a switchover, then a DROP TABLE: restoring to a time between two writes brings back the rows before it, the dropped table and every acknowledged write")
    func pointInTimeRestore() async throws {
        try await TestManager.with { manager in
            let (writer, writing) = try await backUpWhileWriting(manager)
            try await Task.sleep(for: .milliseconds(500))
            writer.finish()
            await writing.value
            let listed = try await manager.client.call("list_backups", kind: .get)
            let backup = try #require(listed["backups"]?.arrayValue?.first)
            #expect(backup["state"] == "COMPLETE")
            #expect((backup["bytes"]?.intValue ?? 0) > 0)
            #expect(backup["gtid"]?.stringValue?.isEmpty == false)
            #expect(listed["restorable"]?["from"] != nil)

            // The archive must follow the master through a switchover.
            let old = try await manager.master()
            let switchover = try #require(try await manager.client.call("switchover")["job"]?.intValue)
            #expect(try await manager.waitForJob(switchover)["state"] == "DONE")
            let master = try await manager.master()
            #expect(master["id"] != old["id"])
            try await execute(on: master, "CREATE TABLE ha.marks (name VARCHAR(20) PRIMARY KEY)")
            try await execute(on: master, "INSERT INTO ha.marks VALUES ('before')")
            try await Task.sleep(for: .milliseconds(2_200))
            let until = Date()
            try await Task.sleep(for: .milliseconds(2_200))
            try await execute(on: master, "INSERT INTO ha.marks VALUES ('after')")
            try await execute(on: master, "DROP TABLE ha.acked")
            try await eventually("the archive holds the DROP", timeout: .seconds(30)) {
                let range = try await manager.client.call("list_backups", kind: .get)["restorable"]
                return (range?["until"]?.stringValue).flatMap(parse).map { $0 > until.addingTimeInterval(3) } == true
            }

            let running = try await failure(manager, "restore_backup", ["id": backup["id"]!])
            #expect(running.contains("without nodes"), "\(running)")
            let shutdown = try #require(try await manager.client.call("shutdown")["job"]?.intValue)
            _ = try await manager.waitForJob(shutdown)
            #expect(try await failure(manager, "restore_backup", ["id": 99]).contains("no complete backup 99"))
            #expect(try await failure(manager, "restore_backup", ["id": backup["id"]!, "until": "2100-01-01T00:00:00Z"]).contains("binlog archive reaches"))
            #expect(try await failure(manager, "restore_backup", ["id": backup["id"]!, "until": "2001-01-01T00:00:00Z"]).contains("restore it to a later time"))
            #expect(try await failure(manager, "restore_backup", ["id": backup["id"]!, "until": "yesterday"]).contains("ISO-8601"))

            let restore = try #require(try await manager.client.call(
                "restore_backup", params: ["id": backup["id"]!, "until": .string(until.formatted(.iso8601))])["job"]?.intValue)
            let finished = try await manager.waitForJob(restore, timeout: .seconds(240))
            #expect(finished["state"] == "DONE", "\(finished)")
            try await manager.waitForRunning(1)
            let restored = try await manager.master()
            #expect(try await rows(on: restored, "SELECT name FROM ha.marks") == ["before"])
            let stored = try await manager.storedIDs(on: restored)
            #expect(writer.acknowledged.filter { !stored.contains($0) }.isEmpty, "acknowledged rows missing after the restore")
            #expect(try await manager.client.call("get_service_info", kind: .get)["state"] == "RUNNING")
            try await execute(on: restored, "INSERT INTO ha.marks VALUES ('new life')")

            // Restored to the backup's own GTID: the copy it took under writes, consistent (no hole in the ids).
            let again = try #require(try await manager.client.call("shutdown")["job"]?.intValue)
            _ = try await manager.waitForJob(again)
            let gtid = try #require(backup["gtid"]?.stringValue?.split(separator: "-").map(String.init))
            let next = "\(gtid[0])-\(gtid[1])-\((Int(gtid[2]) ?? 0) + 1)"
            let exact = try #require(try await manager.client.call("restore_backup", params: ["id": backup["id"]!, "until": .string(next)])["job"]?.intValue)
            #expect(try await manager.waitForJob(exact, timeout: .seconds(240))["state"] == "DONE")
            try await manager.waitForRunning(1)
            let copy = try await manager.master()
            #expect(try await rows(on: copy, "SHOW TABLES FROM ha LIKE 'marks'").isEmpty)
            let ids = try await manager.storedIDs(on: copy)
            #expect(!ids.isEmpty && ids == Set(1...(ids.max() ?? 0)), "the backup's copy has holes: \(ids.count) ids up to \(ids.max() ?? 0)")
            #expect(ids.count < stored.count)
        }
    }

    @Test("After a failover the archive follows the new master: a restore to the end of the archive holds every acknowledged write, before and after the crash")
    func restoreAfterFailover() async throws {
        try await TestManager.with(extraArguments: ["--heal", "off"]) { manager in
            let (writer, writing) = try await backUpWhileWriting(manager)
            let old = try await manager.master()
            let crashed = ContinuousClock.now
            try signalVM(at: old["ip"]!.stringValue!, SIGKILL)
            try await eventually("the new master takes writes", timeout: .seconds(60)) { writer.acknowledgedCount(after: crashed + .seconds(1)) > 50 }
            writer.finish()
            await writing.value
            let master = try await manager.master()
            #expect(master["id"] != old["id"])
            let acknowledged = writer.acknowledged
            try await eventually("the archive holds the last write", timeout: .seconds(30)) {
                let until = try await manager.client.call("list_backups", kind: .get)["restorable"]?["until"]?.stringValue
                return until.flatMap(parse).map { $0 > Date().addingTimeInterval(-1) } == true
            }
            let shutdown = try #require(try await manager.client.call("shutdown")["job"]?.intValue)
            _ = try await manager.waitForJob(shutdown)
            let backup = try #require(try await manager.client.call("list_backups", kind: .get)["backups"]?.arrayValue?.first)
            let restore = try #require(try await manager.client.call("restore_backup", params: ["id": backup["id"]!])["job"]?.intValue)
            #expect(try await manager.waitForJob(restore, timeout: .seconds(240))["state"] == "DONE")
            try await manager.waitForRunning(1)
            let stored = try await manager.storedIDs(on: try await manager.master())
            #expect(acknowledged.filter { !stored.contains($0) }.isEmpty, "acknowledged rows missing after the restore")
        }
    }

    @Test("A manager killed during a backup never lists it COMPLETE; backup files are served to the secret only, archived binlogs trimmed by ?after=; a corrupted backup file is refused, naming the file, and nothing boots")
    func interruptedAndCorrupted() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(1)
            let archiverPID = "\(manager.stateDirectory)/backups/archiver/archiver.pid"
            var leftover = ""
            try await eventually("the binlog archiver runs") {
                leftover = (try? String(contentsOfFile: archiverPID, encoding: .utf8)) ?? ""
                return !leftover.isEmpty
            }
            _ = try await manager.client.call("create_backup")
            await manager.kill(SIGKILL)
            try await manager.start()
            // The archiver the killed manager left is stopped and a new one runs: never two.
            try await eventually("the new manager's archiver runs alone") {
                let running = (try? String(contentsOfFile: archiverPID, encoding: .utf8)) ?? leftover
                let cmdline = FileManager.default.contents(atPath: "/proc/\(leftover.trimmingWhitespace())/cmdline") ?? Data()
                return running != leftover && !String(decoding: cmdline, as: UTF8.self).contains("--stop-never")
                    && processes(matching: "\(manager.stateDirectory)/").filter { $0.contains("--stop-never") }.count == 1
            }
            try await eventually("the interrupted backup is FAILED") {
                try await manager.client.call("list_backups", kind: .get)["backups"]?.arrayValue?.first?["state"] == "FAILED"
            }
            let job = try #require(try await manager.client.call("create_backup")["job"]?.intValue)
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            let complete = try #require(try await manager.client.call("list_backups", kind: .get)["backups"]?.arrayValue?.last)
            let id = try #require(complete["id"]?.intValue)
            #expect(complete["state"] == "COMPLETE")
            #expect(!FileManager.default.fileExists(atPath: "\(manager.stateDirectory)/backups/backups/1"))
            // Agents fetch backups with the service secret; nothing else is served.
            let file = "backups/\(id)/backup.xbstream.zst"
            #expect(try await fetch(manager, file, secret: nil).status == 401)
            #expect(try await fetch(manager, file, secret: "wrong").status == 401)
            #expect(try await fetch(manager, "archiver/archiver.cnf", secret: manager.serviceSecret).status == 400)
            #expect(try await fetch(manager, "backups/%2e%2e/%2e%2e/service-secret", secret: manager.serviceSecret).status == 400)
            let served = try await fetch(manager, file, secret: manager.serviceSecret)
            #expect(served.status == 200)
            #expect(served.body == FileManager.default.contents(atPath: "\(manager.stateDirectory)/backups/\(file)"))
            // An archived binlog with ?after=: its header events, then only what the position does not hold.
            let binlog = "archive/timeline-0/0001-node-1/mysql-bin.000001"
            try await eventually("the archived binlog holds transactions (the heartbeat's)") {
                let whole = try await fetch(manager, binlog, secret: manager.serviceSecret)
                let header = try await fetch(manager, "\(binlog)?after=0-1-999999999", secret: manager.serviceSecret)
                return whole.status == 200 && header.status == 200 && header.body.count < whole.body.count && whole.body.starts(with: header.body)
            }
            let whole = try await fetch(manager, binlog, secret: manager.serviceSecret).body
            let unchanged = try await fetch(manager, "\(binlog)?after=7-1-5", secret: manager.serviceSecret).body
            // The file only grows (the heartbeat): fetched later, the untrimmed one starts with all of the first.
            #expect(unchanged.count >= whole.count && unchanged.starts(with: whole), "another domain's position trims nothing")
            #expect(try await fetch(manager, "\(binlog)?after=not-a-position", secret: manager.serviceSecret).status == 400)
            #expect(try await fetch(manager, "archive/timeline-0/0001-node-1/mysql-bin.999999?after=0-1-1", secret: manager.serviceSecret).status == 404)

            // Retention dropped the FAILED backup older than the COMPLETE one; /metrics counts the good one.
            try await eventually("retention removes the failed backup") {
                try await manager.client.call("list_backups", kind: .get)["backups"]?.arrayValue?.map { $0["id"] } == [.int(id)]
            }
            #expect(try await failure(manager, "delete_backup", ["id": 1]).contains("unknown backup 1"))
            let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(manager.url)/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"conpaassql_backups_total{outcome="complete"} 1"#), "\(text)")
            #expect(text.contains("conpaassql_archive_delay_seconds"))

            let shutdown = try #require(try await manager.client.call("shutdown")["job"]?.intValue)
            _ = try await manager.waitForJob(shutdown)
            let handle = try #require(FileHandle(forUpdatingAtPath: "\(manager.stateDirectory)/backups/\(file)"))
            try handle.seek(toOffset: 100)
            try handle.write(contentsOf: Data("corrupted".utf8))
            try handle.close()
            let restore = try #require(try await manager.client.call("restore_backup", params: ["id": .int(id)])["job"]?.intValue)
            let failed = try await manager.waitForJob(restore)
            #expect(failed["state"] == "FAILED")
            #expect(failed["message"]?.stringValue?.contains("backup.xbstream.zst does not match its checksum") == true, "\(failed)")
            #expect(try await manager.nodes().filter { $0["state"] != "TERMINATED" }.isEmpty)
            _ = try await manager.client.call("delete_backup", params: ["id": .int(id)])
            #expect(try await manager.client.call("list_backups", kind: .get)["backups"]?.arrayValue?.isEmpty == true)
            #expect(!FileManager.default.fileExists(atPath: "\(manager.stateDirectory)/backups/backups/\(id)"))
        }
    }

    @Test("Every backup and archived binlog is copied to an rclone remote: a real SFTP server on loopback")
    func remoteCopy() async throws {
        let manager = try TestManager(extraArguments: [])
        let sftp = try await TestSFTPServer.start(for: manager)
        defer { sftp.stop() }
        try await manager.start(more: ["--backup-remote", "sftpstore:\(sftp.storeRoot)", "--backup-rclone-config", sftp.rcloneConfig])
        do {
            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(1)
            let job = try #require(try await manager.client.call("create_backup")["job"]?.intValue)
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            let local = "\(manager.stateDirectory)/backups/backups/1"
            try await eventually("the backup is on the SFTP server, byte for byte", timeout: .seconds(60)) {
                ["manifest.json", "backup.xbstream.zst"].allSatisfy { name in
                    FileManager.default.contents(atPath: "\(sftp.storeRoot)/backups/1/\(name)") == FileManager.default.contents(atPath: "\(local)/\(name)")
                }
            }
            #expect(!FileManager.default.fileExists(atPath: "\(sftp.storeRoot)/archiver"), "the archiver's credentials left the machine")
            try await eventually("the archived binlog is on the SFTP server", timeout: .seconds(90)) {
                FileManager.default.fileExists(atPath: "\(sftp.storeRoot)/archive/timeline-0/0001-node-1/mysql-bin.000001")
            }
        } catch {
            await manager.tearDown()
            throw error
        }
        await manager.tearDown()
    }

    /// A master and a replica, a client writing all along, and a backup taken under its writes.
    private func backUpWhileWriting(_ manager: TestManager) async throws -> (AcknowledgedWriter, Task<Void, Never>) {
        let writer = try await manager.runningWithAcknowledgedTable(2)
        let writing = Task { await writer.run() }
        try await eventually("the client is writing") { writer.acknowledged.count >= 20 }
        let job = try #require(try await manager.client.call("create_backup")["job"]?.intValue)
        #expect(try await manager.waitForJob(job)["state"] == "DONE")
        return (writer, writing)
    }

    private func execute(on node: JSONValue, _ sql: SQL) async throws {
        let connection = try await connect(node, user: "shop", password: "s3cret-pw")
        _ = try await connection.execute(sql)
        await connection.close()
    }

    private func failure(_ manager: TestManager, _ method: String, _ params: [String: JSONValue] = [:]) async throws -> String {
        do {
            let result = try await manager.client.call(method, params: params)
            throw TestFailure("\(method) succeeded with \(result)")
        } catch let error as RPCError {
            return error.message
        }
    }

    private func fetch(_ manager: TestManager, _ path: String, secret: String?) async throws -> (status: UInt, body: Data) {
        var request = HTTPClientRequest(url: "\(manager.url)/backup-files/\(path)")
        if let secret { request.headers.add(name: "Authorization", value: "Bearer \(secret)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 26)
        return (response.status.code, Data(body.readableBytesView))
    }

    private func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle().parse(text)
    }
}
