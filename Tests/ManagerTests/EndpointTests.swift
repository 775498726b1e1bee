import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// The writer and reader endpoints: a real HAProxy steered by a real manager, real agents and mariadbd.
@Suite("Endpoints (HAProxy)", .serialized)
struct EndpointTests {
    @Test("Writes through the writer land on the master; 30 reader connections reach both replicas, never the master, all read-only; /metrics counts them")
    func writerAndReader() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 3])
            try await manager.waitForRunning(3)
            let info = try await manager.client.call("get_service_info", kind: .get)
            #expect(info["endpoints"] == ["writer": .string("\(manager.address):3306"), "reader": .string("\(manager.address):3307")])
            let writer = AcknowledgedWriter(manager: manager)
            try await writer.prepare()
            let master = try await manager.master()
            let replicas = try await manager.nodes().filter { $0["role"] == "slave" }
            try await eventually("the writer reaches the master") {
                try await manager.endpointServerID(port: 3306) == master["server_id"]?.intValue
            }
            let through = try await manager.endpointConnection(port: 3306)
            _ = try await through.execute("INSERT INTO ha.acked VALUES (1, NOW(6))")
            await through.close()
            #expect(try await manager.storedIDs(on: master).contains(1))

            // A replica reads once its agent has shown its lag (the master serves reads until then).
            let replicaAddresses = Set(replicas.compactMap { $0["ip"]?.stringValue })
            try await eventually("the reader serves both replicas", timeout: .seconds(120)) { try await manager.readerAddresses() == replicaAddresses }
            let replicaIDs = Set(replicas.compactMap { $0["server_id"]?.intValue })
            var seen = Set<Int>()
            try await eventually("reads reach both replicas") {
                for _ in 0..<30 {
                    let connection = try await manager.endpointConnection(port: 3307)
                    let row = try await connection.query("SELECT @@server_id AS id, @@read_only AS ro").first
                    await connection.close()
                    #expect(row?["ro"] == "1")
                    seen.insert(Int(row?["id"] ?? "") ?? 0)
                }
                return seen.isSuperset(of: replicaIDs)
            }
            #expect(seen == replicaIDs, "the master answered a read")
            let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(manager.url)/metrics"), timeout: .seconds(10))
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"conpaassql_endpoint_sessions_total{endpoint="reader",slot="r1""#), "\(text)")
            #expect(text.contains(#"conpaassql_endpoint_server_up{endpoint="writer",slot="master",server="\#(master["ip"]!.stringValue!):3306"} 1"#))
            // One master process and one worker, which runs one thread (nbthread 1).
            let haproxyMaster = try #require(manager.haproxyMasterPID())
            let workers = manager.haproxyPIDs().filter { $0 != haproxyMaster }
            #expect(workers.count == 1)
            for worker in workers {
                let status = (try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)) ?? ""
                #expect(status.split(separator: "\n").contains("Threads:\t1"), "\(status)")
            }
        }
    }

    @Test("A replica whose SQL thread is stopped leaves the reader once past the lag limit and comes back after it catches up")
    func laggingReplicaLeavesTheReader() async throws {
        try await TestManager.with(extraArguments: ["--reader-max-lag", "2"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 3])
            try await manager.waitForRunning(3)
            try await manager.addShopUser()
            let replicas = try await manager.nodes().filter { $0["role"] == "slave" }
            let lagging = try #require(replicas.first), current = try #require(replicas.last)
            let laggingID = try #require(lagging["server_id"]?.intValue)
            let both = Set(replicas.compactMap { $0["ip"]?.stringValue })
            // HAProxy's own view (its admin socket), waited for without a time limit that depends on the machine's speed.
            try await eventually("the reader serves both replicas", timeout: .seconds(120)) { try await manager.readerAddresses() == both }

            let root = try await manager.rootConnection(vmID: try #require(lagging["vm_id"]?.stringValue))
            _ = try await root.execute("STOP SLAVE SQL_THREAD")
            let stopped = ContinuousClock.now
            try await eventually("the lagging replica leaves the reader", timeout: .seconds(120)) {
                try await manager.readerAddresses() == [try #require(current["ip"]?.stringValue)]
            }
            print("the replica left the reader \(ContinuousClock.now - stopped) after its SQL thread stopped (--reader-max-lag 2)")
            let performance = try await manager.client.call("get_service_performance", kind: .get)["nodes"]?[lagging["id"]?.stringValue ?? ""]
            #expect((performance?["heartbeat_lag_seconds"]?.doubleValue ?? 0) > 2, "it left past the limit: \(performance ?? .null)")
            #expect(try await manager.readerServerIDs(count: 12).allSatisfy { $0 != laggingID }, "no read reaches it")

            _ = try await root.execute("START SLAVE SQL_THREAD")
            await root.close()
            try await eventually("the replica is back in the reader", timeout: .seconds(120)) { try await manager.readerAddresses() == both }
            try await eventually("reads reach it again", timeout: .seconds(120)) {
                try await manager.readerServerIDs(count: 12).contains(laggingID)
            }
        }
    }

    @Test("A switchover and a failover move the writer at once and cut a session held on the old master")
    func writerFollowsTheMaster() async throws {
        try await TestManager.with { manager in
            let old = try await manager.runningBehindTheWriter(3)
            let held = try await manager.endpointConnection(port: 3306)
            let job = try await manager.client.call("switchover")["job"]?.intValue ?? 0
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            let promoted = try await manager.master()
            #expect(promoted["id"] != old["id"])
            #expect(try await manager.endpointServerID(port: 3306) == promoted["server_id"]?.intValue)
            await #expect(throws: MariaDBError.self) { _ = try await held.query("SELECT 1") }
            await held.close()

            let heldOnNew = try await manager.endpointConnection(port: 3306)
            try signalVM(at: promoted["ip"]!.stringValue!, SIGKILL)
            let failover = try await manager.waitForFailover(from: promoted)
            let third = try await manager.master()
            #expect(third["id"] == failover["promotion"]?["to"])
            #expect(try await manager.endpointServerID(port: 3306) == third["server_id"]?.intValue)
            await #expect(throws: MariaDBError.self) { _ = try await heldOnNew.query("SELECT 1") }
            await heldOnNew.close()
        }
    }

    @Test("HAProxy killed serves again within seconds; a manager SIGKILLed leaves both endpoints working and the new one adopts HAProxy")
    func haproxySurvives() async throws {
        try await TestManager.with { manager in
            let master = try await manager.runningBehindTheWriter(2)
            let killed = ContinuousClock.now
            for pid in manager.haproxyPIDs() { kill(pid, SIGKILL) }
            try await eventually("HAProxy serves again", timeout: .seconds(30)) {
                (try? await manager.endpointServerID(port: 3306)) == master["server_id"]?.intValue
            }
            print("HAProxy serving again \(ContinuousClock.now - killed) after SIGKILL")

            let writer = try await manager.endpointConnection(port: 3306)
            let reader = try await manager.endpointConnection(port: 3307)
            let before = manager.haproxyPIDs()
            await manager.kill(SIGKILL)
            #expect(try await writer.query("SELECT @@server_id AS id").first?["id"] == master["server_id"]?.intValue.map(String.init))
            _ = try await reader.query("SELECT 1")
            #expect(try await manager.endpointServerID(port: 3306) == master["server_id"]?.intValue)
            _ = try await manager.readerServerIDs(count: 3)
            try await manager.start()
            try await Task.sleep(for: .seconds(2))
            #expect(manager.haproxyPIDs() == before, "the new manager adopted HAProxy")
            _ = try await writer.query("SELECT 1")
            await writer.close()
            await reader.close()
        }
    }

    @Test("A manager restarted with other ports checks the new configuration and reloads the same HAProxy, keeping the unchanged listener and its sessions")
    func reloadOnNewConfiguration() async throws {
        try await TestManager.with { manager in
            let master = try await manager.runningBehindTheWriter(1)
            let before = try #require(manager.haproxyMasterPID())
            let held = try await manager.endpointConnection(port: 3307)  // the reader: its port stays
            await manager.kill(SIGTERM)
            try await manager.start(more: ["--writer-port", "3316"])
            try await eventually("the writer answers on its new port") {
                try await manager.endpointServerID(port: 3316) == master["server_id"]?.intValue
            }
            // The reload handed the unchanged listener over: a session held through it goes on, new ones come in.
            #expect(try await held.query("SELECT 1 AS one").first?["one"] == "1")
            await held.close()
            #expect(try await manager.endpointServerID(port: 3307) == master["server_id"]?.intValue)
            #expect(manager.haproxyMasterPID() == before, "reloaded, not restarted")
            #expect(manager.haproxyPIDs().contains(before))
            #expect(try await manager.client.call("get_service_info", kind: .get)["endpoints"]?["writer"] == .string("\(manager.address):3316"))
        }
    }

    @Test("A second HAProxy on the endpoints' ports (one an earlier manager left running) cannot bind beside the manager's, which keeps serving")
    func secondHAProxyRefused() async throws {
        try await TestManager.with { manager in
            let master = try await manager.runningBehindTheWriter(1)
            // The manager's own configuration, under other paths, as another manager would have written it.
            let other = "\(manager.stateDirectory)/other-haproxy"
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            let config = try String(contentsOfFile: "\(manager.stateDirectory)/haproxy/haproxy.cfg", encoding: .utf8)
                .replacingOccurrences(of: "\(manager.stateDirectory)/haproxy/", with: "\(other)/")
            try config.write(toFile: "\(other)/haproxy.cfg", atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/haproxy")
            process.arguments = ["-f", "\(other)/haproxy.cfg"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            // One that bound anyway would serve beside the manager's: stopped after 10 s, it fails below.
            let stopper = Task {
                try await Task.sleep(for: .seconds(10))
                process.terminate()
            }
            let status = try await process.runUntilExit()
            stopper.cancel()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(status != 0)
            #expect(text.contains("cannot bind socket"), "\(text)")
            for _ in 0..<20 { #expect(try await manager.endpointServerID(port: 3306) == master["server_id"]?.intValue) }
        }
    }

    @Test("Bad endpoint options are refused at start with a clear message")
    func refusedOptions() async throws {
        let cases: [([String], String)] = [
            (["--writer-port", "0"], "--writer-port must be from 1 to 65535, not 0"),
            (["--writer-port", "4000", "--reader-port", "4000"], "--writer-port and --reader-port must differ (both 4000)"),
            (["--reader-max-lag", "0"], "--reader-max-lag must be at least 1 second"),
            (["--reader-port", "50000"], "the endpoints cannot use the manager's own port 50000"),
        ]
        for (arguments, message) in cases {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(TestManager.binaries)/conpaassql-manager")
            process.arguments = ["--address", "127.0.0.1", "--state-dir", "/tmp/cq-refused"] + arguments
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            #expect(try await process.runUntilExit() == 64, "\(arguments)")
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.contains(message), "\(arguments): \(text)")
        }
    }
}
