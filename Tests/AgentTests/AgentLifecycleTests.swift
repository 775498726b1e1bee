import Foundation
import JSONRPC
import Testing
import TestSupport

@Suite("Agent lifecycle, settings and dumps on a real mariadbd")
struct AgentLifecycleTests {
    @Test("Restarting the agent on its directory reuses data, password and role")
    func restartOnExistingDirectory() async throws {
        try await TestCluster.with { cluster in
            let first = try await cluster.startMaster()
            _ = try await first.client.call("configure_user", params: ["username": "keeper", "password": "kept-pw"])
            try await Fixtures.load(rows: 20, into: first)
            let options = try String(contentsOfFile: "\(cluster.directory(1))/client.cnf", encoding: .utf8)
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(cluster.directory(1))/client.cnf")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            await first.stop()

            let second = try await cluster.start(1)
            #expect(try String(contentsOfFile: "\(cluster.directory(1))/client.cnf", encoding: .utf8) == options)
            #expect(try await second.state()["role"]?.stringValue == "master")
            #expect(try await Fixtures.checksum(of: second).count == 20)
            let login = try await second.connection(user: "keeper", password: "kept-pw")
            await login.close()
        }
    }

    @Test("An agent started where an earlier one left its mariadbd running (killed; the VM's init starts it again) stops that server and serves")
    func leftoverServer() async throws {
        try await TestCluster.with { cluster in
            let first = try await cluster.startMaster()
            try await Fixtures.load(rows: 20, into: first)
            await first.stop()
            // What a SIGKILLed agent leaves: its mariadbd, still serving its data directory.
            let orphan = Process()
            orphan.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
            orphan.arguments = ["--defaults-file=\(cluster.directory(1))/my.cnf"]
            orphan.standardError = FileHandle.nullDevice
            try orphan.run()
            try await eventually("the left server answers") { FileManager.default.fileExists(atPath: "\(cluster.directory(1))/run/mysqld.sock") }

            let second = try await cluster.start(1)
            try await eventually("the left server is gone", timeout: .seconds(30)) { !orphan.isRunning }
            #expect(try await second.state()["role"]?.stringValue == "master")
            #expect(try await Fixtures.checksum(of: second).count == 20)
        }
    }

    @Test("set_server_configuration applies a whitelisted setting now and after a restart")
    func serverConfiguration() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            _ = try await agent.client.call("set_server_configuration", params: ["section": "mysqld", "id_param": "max_connections", "value": "55"])
            #expect(try await agent.rootQuery("SELECT @@GLOBAL.max_connections AS v").first?["v"] == "55")
            _ = try await agent.client.call("restart_server")
            #expect(try await agent.state()["state"]?.stringValue == "RUNNING")
            #expect(try await agent.rootQuery("SELECT @@GLOBAL.max_connections AS v").first?["v"] == "55")
        }
    }

    @Test("stop_server and start_server move the state and the process")
    func stopAndStart() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1)
            _ = try await agent.client.call("stop_server")
            let stopped = try await agent.state()
            #expect(stopped["state"]?.stringValue == "STOPPED")
            #expect(stopped["pid"] == .null)
            let refused = try? await agent.client.call("configure_user", params: ["username": "u", "password": "p"])
            #expect(refused == nil)
            _ = try await agent.client.call("start_server")
            #expect(try await agent.state()["state"]?.stringValue == "RUNNING")
            #expect(try await agent.state()["restarts"]?.intValue == 0)
        }
    }

    @Test("send_mysqldump loads a file; a broken one reports the SQL error; an oversized one leaves nothing")
    func dumps() async throws {
        try await TestCluster.with { cluster in
            let agent = try await cluster.start(1, maxUploadBytes: 64 * 1024)
            let directory = cluster.directory(1)
            let good = "\(directory)/good.sql"
            try "CREATE DATABASE dumped;\nCREATE TABLE dumped.t (id INT PRIMARY KEY);\nINSERT INTO dumped.t VALUES (1),(2),(3);\n"
                .write(toFile: good, atomically: true, encoding: .utf8)
            await #expect(throws: RPCError.failed("this node is not a master yet (it is read-only); load dumps on the master")) {
                try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: good)
            }
            _ = try await agent.client.call("set_up_replica_master")
            _ = try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: good)
            #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM dumped.t").first?.int("n") == 3)

            let broken = "\(directory)/broken.sql"
            try "INSERT INTO dumped.t VALUES (4);\nTHIS IS NOT SQL;\n".write(toFile: broken, atomically: true, encoding: .utf8)
            await #expect {
                try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: broken)
            } throws: { error in
                (error as? RPCError)?.message.contains("ERROR 1064") == true
            }

            let escape = "\(directory)/escape.sql"
            try "\\! touch \(directory)/pwned\nsystem touch \(directory)/pwned\n".write(toFile: escape, atomically: true, encoding: .utf8)
            await #expect(throws: RPCError.self) {
                try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: escape)
            }
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/pwned"))

            let huge = "\(directory)/huge.sql"
            let rows = (0..<10_000).map { "INSERT INTO dumped.t VALUES (\($0 + 100));" }.joined(separator: "\n")
            try rows.write(toFile: huge, atomically: true, encoding: .utf8)
            await #expect {
                try await agent.client.upload("send_mysqldump", fileField: "mysqldump", filePath: huge)
            } throws: { error in
                (error as? RPCError)?.message.hasPrefix("Invalid argument: mysqldump DETAIL:upload larger than") == true
            }
            #expect(try await agent.rootQuery("SELECT COUNT(*) AS n FROM dumped.t").first?.int("n") == 4)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/uploads").isEmpty)
            #expect(try await agent.state()["state"]?.stringValue == "RUNNING")
        }
    }
}
