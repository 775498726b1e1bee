import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

/// A removal or shutdown takes a node out of a long CONFIGURE at once.
@Suite("Removal during CONFIGURE", .serialized)
struct RemovalDuringConfigureTests {
    @Test("A replica whose agent hangs while it is seeded is removed at once: the hour-long configure call is cancelled")
    func removeHungSeeding() async throws {
        try await TestManager.with { manager in
            let master = try await manager.masterHoldingBigTable(rows: 400_000)

            // Seeding 100 MB takes seconds; on a busy machine it can end before the freeze lands: then try a new replica.
            var frozenReplica: JSONValue?
            for _ in 1...3 where frozenReplica == nil {
                frozenReplica = try await freezeWhileSeeding(manager, master: master)
            }
            let replica = try #require(frozenReplica, "seeding ended before the agent was frozen, three times")
            _ = try await manager.client.call("remove_nodes", params: ["serviceNodeId": replica["id"]!])
            try await eventually("the frozen replica is removed", timeout: .seconds(90)) {
                try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": replica["id"]!])["serviceNode"]?["state"] == "TERMINATED"
            }
            try await eventually("the service runs on its master alone (the removal job closed)") {
                try await manager.client.call("get_service_info", kind: .get)["state"] == "RUNNING"
            }
        }
    }

    /// Adds a replica and SIGSTOPs its agent once its seeding has begun; answers the replica if
    /// the manager still had it in CONFIGURE then, else lets the agent go, removes the replica and answers nil.
    private func freezeWhileSeeding(_ manager: TestManager, master: JSONValue) async throws -> JSONValue? {
        _ = try await manager.client.call("add_nodes", params: ["count": 1])
        var replica: JSONValue = .null
        try await eventually("the new replica has a VM", timeout: .seconds(120)) {
            replica = try await manager.nodes().first { $0["id"] != master["id"] && $0["state"] != "TERMINATED" } ?? .null
            return replica["vm_id"]?.stringValue != nil && replica["ip"]?.stringValue != nil
        }
        let console = "\(manager.stateDirectory)/cloud/vms/\(replica["vm_id"]?.stringValue ?? "?")/console.log"
        try await eventually("the agent is being set up as a replica", timeout: .seconds(120)) {
            ((try? String(contentsOfFile: console, encoding: .utf8)) ?? "").contains("replica set-up: master reachable")
        }
        let ip = try #require(replica["ip"]?.stringValue)
        let agent = try #require(agentPID(serving: ip))
        kill(agent, SIGSTOP)
        let frozen = try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": replica["id"]!])["serviceNode"]
        if frozen?["stage"] == "CONFIGURE" { return replica }
        kill(agent, SIGCONT)
        _ = try await manager.client.call("remove_nodes", params: ["serviceNodeId": replica["id"]!])
        try await eventually("the seeded replica is removed", timeout: .seconds(90)) {
            try await manager.client.call("get_node_info", kind: .get, params: ["serviceNodeId": replica["id"]!])["serviceNode"]?["state"] == "TERMINATED"
        }
        return nil
    }
}
