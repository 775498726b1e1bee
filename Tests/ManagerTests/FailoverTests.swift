import AsyncHTTPClient
import Foundation
import JSONRPC
import NIOCore
import TestSupport
import Testing

/// Switchovers and failovers on the local cloud, with a client writing all along:
/// real manager, agents and mariadbd, every acknowledged row checked afterwards.
@Suite("High availability", .serialized)
struct FailoverTests {
    @Test("A crashed master VM fails over: every acknowledged write is on the new master, the service heals to 3 nodes, the hold stops a second automatic failover and a failover call overrides it")
    func crashedMaster() async throws {
        try await TestManager.with(extraArguments: ["--replace-after", "600"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 3])
            try await manager.waitForRunning(3)
            try await eventually("semi-sync is on") { try await manager.client.call("get_service_info", kind: .get)["semi_sync"] == "on" }
            let writer = AcknowledgedWriter(manager: manager)
            try await writer.prepare()
            let writing = Task { await writer.run() }
            let old = try await manager.master()
            try await Task.sleep(for: .seconds(1))
            let crashed = ContinuousClock.now
            try signalVM(at: old["ip"]!.stringValue!, SIGKILL)
            try await eventually("a new master takes writes", timeout: .seconds(60)) {
                writer.acknowledgedCount(after: crashed + .seconds(1)) > 50
            }
            writer.finish()
            await writing.value
            let master = try await manager.master()
            #expect(master["id"] != old["id"])
            let stored = try await manager.storedIDs(on: master)
            let acknowledged = writer.acknowledged
            #expect(acknowledged.count > 50)
            #expect(acknowledged.filter { !stored.contains($0) }.isEmpty, "acknowledged rows missing on the new master")

            let info = try await manager.client.call("get_service_info", kind: .get)
            #expect(info["epoch"] == 1)
            #expect(info["last_failover"]?["kind"] == "failover")
            #expect(info["last_failover"]?["from"] == old["id"])
            #expect(info["last_failover"]?["lost_gtids"] == "")
            let jobID = try #require(info["last_failover"]?["job"]?.intValue)
            let job = try await manager.waitForJob(jobID)
            #expect(job["state"] == "DONE", "\(job)")
            let stages = job["tasks"]?.arrayValue?.filter { $0["node"] == old["id"] }.map { $0["stage"]?.stringValue ?? "" }
            #expect(stages == ["DETECT", "FENCE", "ELECT", "CATCH_UP", "PROMOTE", "REPOINT", "HEAL"])
            #expect(job["promotion"]?["automatic"] == true)
            try await manager.waitForRunning(3)
            #expect(try await manager.writableNodes() == [master["id"]?.stringValue ?? ""])
            #expect(try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": old["id"]!])["serviceNode"]?["state"] == "TERMINATED")
            // The gauge follows the agents' reports: semi-sync is back on once the new master's replicas answer it.
            var text = ""
            try await eventually("/metrics shows semi-sync on the new master") {
                let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(manager.url)/metrics"), timeout: .seconds(10))
                text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
                return text.contains("conpaassql_semi_sync 1")
            }
            #expect(text.contains(#"conpaassql_failovers_total{kind="failover",trigger="automatic",outcome="done"} 1"#), "\(text)")

            // Within the hold, a second crash is reported, not failed over; a call overrides the hold.
            try signalVM(at: master["ip"]!.stringValue!, SIGKILL)
            try await eventually("the service says it has no writable master", timeout: .seconds(60)) {
                try await manager.client.call("get_service_info", kind: .get)["writable"] == false
            }
            try await Task.sleep(for: .seconds(6))
            #expect(try await manager.client.call("get_service_info", kind: .get)["last_failover"]?["job"]?.intValue == jobID)
            let forced = try await manager.client.call("failover")["job"]?.intValue ?? 0
            #expect(try await manager.waitForJob(forced)["state"] == "DONE")
            let third = try await manager.master()
            #expect(third["id"] != master["id"])
            #expect(try await manager.storedIDs(on: third).isSuperset(of: acknowledged))
        }
    }

    @Test("A switchover under load loses nothing; the old master replicates read-only; a healthy master refuses failover")
    func switchoverUnderLoad() async throws {
        try await TestManager.with { manager in
            let writer = try await manager.runningWithAcknowledgedTable(3)
            let writing = Task { await writer.run() }
            let old = try await manager.master()
            await #expect {
                try await manager.client.call("failover")
            } throws: { error in
                (error as? RPCError)?.message == "master \(old["id"]!.stringValue!) is healthy; use switchover"
            }
            await #expect {
                try await manager.client.call("switchover", params: ["serviceNodeId": old["id"]!])
            } throws: { error in
                (error as? RPCError)?.message.contains("is already the master") == true
            }
            try await Task.sleep(for: .seconds(1))
            let job = try await manager.client.call("switchover")["job"]?.intValue ?? 0
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            let switched = ContinuousClock.now
            try await eventually("writes go on") { writer.acknowledgedCount(after: switched) > 50 }
            writer.finish()
            await writing.value
            let master = try await manager.master()
            #expect(master["id"] != old["id"])
            let acknowledged = writer.acknowledged
            #expect(try await manager.storedIDs(on: master).isSuperset(of: acknowledged))
            try await eventually("the old master has every row by replication") {
                try await manager.storedIDs(on: old).isSuperset(of: acknowledged)
            }
            #expect(try await manager.writableNodes() == [master["id"]?.stringValue ?? ""])
            let oldInfo = try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": old["id"]!])["serviceNode"]
            #expect(oldInfo?["role"] == "slave")
            #expect(oldInfo?["state"] == "RUNNING")
            #expect(try await manager.client.call("get_service_info", kind: .get)["epoch"] == 1)
        }
    }

    @Test("A frozen master is fenced through the cloud before any promotion and never writes again")
    func frozenMaster() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let old = try await manager.master()
            let address = try #require(old["ip"]?.stringValue)
            let vm = try #require(old["vm_id"]?.stringValue)
            try signalVM(at: address, SIGSTOP)
            let job = try await manager.waitForFailover(from: old)
            let fence = job["tasks"]?.arrayValue?.first { $0["stage"] == "FENCE" }
            #expect(fence?["message"]?.stringValue?.hasPrefix("fenced through the cloud") == true, "\(job)")
            let fenced = try #require(fence?["finished_at"]?.stringValue)
            let promoted = try #require(job["tasks"]?.arrayValue?.first { $0["stage"] == "PROMOTE" }?["started_at"]?.stringValue)
            #expect(fenced <= promoted)
            #expect(processes(matching: "\(manager.stateDirectory)/cloud/vms/\(vm)/").isEmpty, "the frozen VM's processes are gone")
            try await manager.waitForRunning(2)
            #expect(try await manager.writableNodes().count == 1)
        }
    }

    @Test("Neither a replica with its SQL thread stopped nor one with a replication error is promoted while a current one exists")
    func candidateChoice() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(4)
            let replicas = try await manager.nodes().filter { $0["role"] == "slave" }
            let stopped = try await manager.rootConnection(vmID: replicas[0]["vm_id"]!.stringValue!)
            _ = try await stopped.execute("STOP SLAVE SQL_THREAD")
            await stopped.close()
            try await manager.plantConflictingRow(on: replicas[1])
            let master = try await manager.master()
            try await manager.insertAcknowledged(-1, on: master)
            try await eventually("the replica stops on the duplicate row") {
                let state = try await manager.client.call("get_service_performance", kind: .get)["nodes"]?[replicas[1]["id"]!.stringValue!]
                return state?["sql_running"] == "No"
            }
            try signalVM(at: master["ip"]!.stringValue!, SIGKILL)
            #expect(try await manager.waitForFailover(from: master)["promotion"]?["to"] == replicas[2]["id"])
        }
    }

    @Test("A manager SIGKILLed in the middle of a switchover (its candidate still catching up) ends it after a restart with exactly one writable node")
    func managerKilledDuringSwitchover() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(3)
            let candidate = try #require(try await manager.nodes().first { $0["role"] == "slave" })
            // The candidate's SQL thread waits for this global read lock: CATCH_UP cannot end until it goes.
            let lock = try await manager.rootConnection(vmID: candidate["vm_id"]!.stringValue!)
            _ = try await lock.execute("FLUSH TABLES WITH READ LOCK")
            let master = try await manager.master()
            try await manager.insertAcknowledged(1, on: master)
            let job = try await manager.client.call("switchover", params: ["serviceNodeId": candidate["id"]!])["job"]?.intValue ?? 0
            try await eventually("the switchover waits in CATCH_UP") {
                let tasks = try await manager.client.call("get_job", kind: .get, params: ["id": .int(job)])["tasks"]?.arrayValue ?? []
                return tasks.contains { $0["stage"] == "CATCH_UP" && $0["state"] == "RUNNING" }
            }
            await manager.kill(SIGKILL)
            _ = try await lock.execute("UNLOCK TABLES")
            await lock.close()
            try await manager.start()
            #expect(try await manager.waitForJob(job)["state"] == "DONE")
            #expect(try await manager.master()["id"] == candidate["id"])
            try await eventually("exactly one node takes writes") { try await manager.writableNodes() == [candidate["id"]!.stringValue!] }
            #expect(try await manager.storedIDs(on: candidate).contains(1))
        }
    }

    @Test("A switchover whose candidate cannot catch up fails, and the fenced old master takes writes again")
    func failedSwitchoverGivesWritesBack() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(2)
            let master = try await manager.master()
            let candidate = try #require(try await manager.nodes().first { $0["role"] == "slave" })
            // The candidate's SQL thread waits for this lock until CATCH_UP gives up (30 s).
            let lock = try await manager.rootConnection(vmID: candidate["vm_id"]!.stringValue!)
            _ = try await lock.execute("FLUSH TABLES WITH READ LOCK")
            try await manager.insertAcknowledged(1, on: master)
            let job = try await manager.client.call("switchover", params: ["serviceNodeId": candidate["id"]!])["job"]?.intValue ?? 0
            let ended = try await manager.waitForJob(job)
            _ = try await lock.execute("UNLOCK TABLES")
            await lock.close()
            #expect(ended["state"] == "FAILED")
            #expect(ended["tasks"]?.arrayValue?.first { $0["stage"] == "CATCH_UP" }?["state"] == "FAILED", "\(ended)")
            #expect(ended["tasks"]?.arrayValue?.first { $0["stage"] == "PROMOTE" }?["state"] == "SKIPPED")
            #expect(try await manager.master()["id"] == master["id"])
            #expect(try await manager.writableNodes() == [master["id"]!.stringValue!])
            try await manager.insertAcknowledged(2, on: master)
            try await eventually("the replica has both rows once unlocked") {
                try await manager.storedIDs(on: candidate).isSuperset(of: [1, 2])
            }
        }
    }

    @Test("A SIGKILLed agent is started again by its VM; one that cannot come back (its restart loop gone too) is replaced after --replace-after")
    func replicaReplaced() async throws {
        try await TestManager.with(extraArguments: ["--replace-after", "3", "--health-timeout", "3"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let replica = try #require(try await manager.nodes().first { $0["role"] == "slave" })
            let address = replica["ip"]!.stringValue!
            let first = try #require(agentPID(serving: address))
            kill(first, SIGKILL)
            try await eventually("the VM starts the agent again and the node serves", timeout: .seconds(60)) {
                guard let pid = agentPID(serving: address), pid != first else { return false }
                let node = try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": replica["id"]!])
                return node["serviceNode"]?["state"] == "RUNNING"
            }

            let loop = try #require(processes(matching: "agent-respawn").first { $0.contains(" --address \(address) ") })
            kill(try #require(pidOf(commandLine: loop)), SIGKILL)
            kill(try #require(agentPID(serving: address)), SIGKILL)
            try await eventually("the replica is replaced", timeout: .seconds(120)) {
                let jobs = try await manager.client.call("list_jobs", kind: .get)["jobs"]?.arrayValue ?? []
                return jobs.contains { $0["kind"] == "replace_node" && $0["state"] == "DONE" }
            }
            try await manager.waitForRunning(2)
            #expect(try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": replica["id"]!])["serviceNode"]?["state"] == "TERMINATED")
        }
    }

    @Test("remove_nodes of the master switches over first, then removes it; add_nodes is refused while the master is FAILED")
    func removeMaster() async throws {
        try await TestManager.with(extraArguments: ["--auto-failover", "off", "--health-timeout", "2"]) { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let job = try await manager.client.call("remove_nodes", params: ["serviceNodeId": "node-1"])["job"]?.intValue ?? 0
            let ended = try await manager.waitForJob(job)
            #expect(ended["state"] == "DONE", "\(ended)")
            #expect(ended["kind"] == "remove_nodes")
            try await eventually("node-1 is gone") {
                try await manager.client.call("list_nodes", kind: .get)["conpaas-mysql"] == ["node-2"]
            }
            #expect(try await manager.client.call("get_service_info", kind: .get)["master"] == "node-2")
            #expect(try await manager.writableNodes() == ["node-2"])

            _ = try await manager.client.call("add_nodes", params: ["count": 1])
            try await manager.waitForRunning(2)
            try signalVM(at: try await manager.master()["ip"]!.stringValue!, SIGKILL)
            try await eventually("the master is FAILED", timeout: .seconds(60)) { try await manager.master()["state"] == "FAILED" }
            await #expect {
                try await manager.client.call("add_nodes", params: ["count": 1])
            } throws: { error in
                (error as? RPCError)?.message.hasPrefix("the master node-2 is FAILED") == true
            }
            let info = try await manager.client.call("get_service_info", kind: .get)
            #expect(info["state"] == "ERROR" && info["writable"] == false)
            #expect(info["reason"]?.stringValue?.hasPrefix("the master node-2 failed") == true, "\(info)")
        }
    }

    @Test("set_up_replica_master on a replica is a switchover: one writer, and the other replica follows it")
    func classicPromotion() async throws {
        try await TestManager.with { manager in
            try await manager.runningWithAcknowledgedTable(3)
            let replicas = try await manager.nodes().filter { $0["role"] == "slave" }
            let coordinates = try await manager.client.call("set_up_replica_master", params: ["id": replicas[0]["id"]!])
            #expect(coordinates["master_host"] == replicas[0]["ip"])
            #expect(try await manager.writableNodes() == [replicas[0]["id"]?.stringValue ?? ""])
            try await manager.insertAcknowledged(7, on: replicas[0])
            try await eventually("the row written on the new master reaches the other replica") {
                try await manager.storedIDs(on: replicas[1]).contains(7)
            }
            await #expect {
                try await manager.client.call("set_up_replica_slave", params: ["id": replicas[0]["id"]!, "master_id": replicas[1]["id"]!])
            } throws: { error in
                (error as? RPCError)?.message.contains("is the writable master") == true
            }
        }
    }
}

@Suite("High availability on OpenNebula (onesim)", .serialized)
struct OpenNebulaFailoverTests {
    @Test("A crashed master fails over through OpenNebula's API: fenced with the version's hard terminate, confirmed by the pool")
    func failover() async throws {
        try await TestManager.withOpenNebula { manager, sim in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let old = try await manager.master()
            try signalVM(at: old["ip"]!.stringValue!, SIGKILL)
            _ = try await manager.waitForFailover(from: old)
            try await manager.waitForRunning(2)
            #expect(try await sim.liveVMIDs().contains(old["vm_id"]!.stringValue!) == false)
            #expect(try await manager.writableNodes().count == 1)
        }
    }

    @Test("A master whose VM never powers off is not failed over: no fence, no promotion, and the service says why")
    func unfenceable() async throws {
        // No VM powers off; the master's agent is frozen, so only the cloud could fence it.
        try await TestManager.withOpenNebula(faults: "stuck:1", extraArguments: ["--fence-timeout", "5"]) { manager, _ in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let old = try await manager.master()
            try signalVM(at: old["ip"]!.stringValue!, SIGSTOP)
            defer { try? signalVM(at: old["ip"]!.stringValue!, SIGCONT) }
            var job: JSONValue = .null
            try await eventually("the failover fails", timeout: .seconds(120)) {
                let jobs = try await manager.client.call("list_jobs", kind: .get)["jobs"]?.arrayValue ?? []
                job = jobs.first { $0["kind"] == "failover" } ?? .null
                return job["state"] == "FAILED"
            }
            let fence = job["tasks"]?.arrayValue?.first { $0["stage"] == "FENCE" }
            #expect(fence?["state"] == "FAILED")
            #expect(fence?["message"]?.stringValue?.hasPrefix("could not fence \(old["id"]!.stringValue!)") == true, "\(job)")
            #expect(job["tasks"]?.arrayValue?.first { $0["stage"] == "PROMOTE" }?["state"] == "SKIPPED")
            let info = try await manager.client.call("get_service_info", kind: .get)
            #expect(info["writable"] == false)
            #expect(info["master"] == old["id"])
            #expect(info["epoch"] == 1)
        }
    }
}
