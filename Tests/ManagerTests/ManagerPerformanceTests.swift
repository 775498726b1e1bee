import AsyncHTTPClient
import Foundation
import JSONRPC
import MariaDB
import TestSupport
import Testing

@Suite("Measured performance and metrics", .serialized)
struct ManagerPerformanceTests {
    @Test("Replica lag grows while its SQL thread is stopped and returns to 0; queries are counted; /metrics parses")
    func lagAndMetrics() async throws {
        try await TestManager.with { manager in
            _ = try await manager.client.call("add_nodes", params: ["count": 2])
            try await manager.waitForRunning(2)
            let nodes = try await manager.nodes()
            let master = try #require(nodes.first { $0["role"] == "master" })
            let replica = try #require(nodes.first { $0["role"] == "slave" })
            let replicaID = try #require(replica["id"]?.stringValue)
            func lag() async throws -> Double? {
                try await manager.client.call("get_service_performance", kind: .get)["nodes"]?[replicaID]?["heartbeat_lag_seconds"]?.doubleValue
            }
            try await eventually("the replica's lag is measured and small") { (try await lag() ?? 99) < 1.5 }

            let writer = try await manager.rootConnection(vmID: try #require(master["vm_id"]?.stringValue))
            try await writer.execute("CREATE DATABASE load_test")
            try await writer.execute("CREATE TABLE load_test.t (id INT PRIMARY KEY)")
            for id in 0..<400 { try await writer.execute("INSERT INTO load_test.t VALUES (\(literal: id))") }
            // Sampled once a second: the rate shows once a sample has followed the inserts.
            try await eventually("queries are counted") {
                let performance = try await manager.client.call("get_service_performance", kind: .get)
                return (performance["request_rate"]?.doubleValue ?? 0) > 0 && (performance["connections"]?.intValue ?? 0) >= 1
                    && (performance["response_time"]?.doubleValue ?? 0) > 0
            }
            await writer.close()

            let replicaRoot = try await manager.rootConnection(vmID: try #require(replica["vm_id"]?.stringValue))
            try await replicaRoot.execute("STOP SLAVE SQL_THREAD")
            try await Task.sleep(for: .seconds(3))
            let stopped = try await manager.client.call("get_service_performance", kind: .get)["nodes"]?[replicaID]
            #expect((stopped?["heartbeat_lag_seconds"]?.doubleValue ?? 0) >= 2)
            #expect(stopped?["sql_running"] == "No")
            try await eventually("the lag keeps growing") { (try await lag() ?? 0) >= 4 }
            try await replicaRoot.execute("START SLAVE SQL_THREAD")
            try await eventually("the lag is back to 0") { (try await lag() ?? 99) < 1.5 }
            await replicaRoot.close()

            let metrics = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(manager.url)/metrics"), timeout: .seconds(10))
            #expect(metrics.status == .ok)
            let text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
            let sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                #expect(line.wholeMatch(of: sample) != nil, "not Prometheus text: \(line)")
            }
            #expect(text.contains(#"conpaassql_nodes{state="RUNNING"} 2"#))
            #expect(text.contains(#"conpaassql_rpc_calls_total{method="add_nodes",outcome="ok"} 1"#))
            #expect(text.contains(#"conpaassql_cloud_calls_total{cloud="local",method="createVM",outcome="ok"} 2"#))
            #expect(text.contains(#"conpaassql_replica_lag_seconds{node="\#(replicaID)"}"#))
            #expect(text.contains("conpaassql_job_duration_seconds_bucket"))
            #expect(text.contains("conpaassql_rpc_duration_seconds_bucket"))
        }
    }
}
