import ConPaaSCore
import Foundation
import GRDB
@testable import Manager
import Testing

/// The statements a database connection ran while it was traced.
private final class StatementLog: @unchecked Sendable {
    /// Touched only on the store's database queue.
    var statements: [String] = []
}

@Suite("Manager state with a long history")
struct ManagerHistoryTests {
    /// A store holding 5,000 finished jobs and 2,000 terminated nodes (each added by
    /// one job and removed by the next, with their tasks), opened again as a restarted
    /// manager would, in which two nodes were then requested (job 5001).
    private func storeWithHistory() async throws -> (ManagerStore, String) {
        let directory = "/tmp/cq-store-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = "\(directory)/m.sqlite"
        try await ManagerStore(path: path).write { db in
            let past = Date(timeIntervalSinceNow: -86_400)
            for number in 1...5_000 {
                var job = JobRecord(kind: number % 2 == 1 ? .addNodes : .removeNodes, state: .done, createdAt: past, finishedAt: past)
                try job.insert(db)
            }
            for number in 1...2_000 {
                let node = NodeRecord(
                    id: "node-\(number)", number: number, role: .slave, state: .terminated, serverID: number, jobID: Int64(2 * number),
                    attempts: 0, createRequested: true, createdAt: past)
                try node.insert(db)
                for (job, stages) in [(2 * number - 1, Stage.provisioning), (2 * number, Stage.removal)] {
                    for stage in stages {
                        var task = TaskRecord(jobID: Int64(job), nodeID: node.id, stage: stage, state: .done, attempts: 1, startedAt: past, finishedAt: past)
                        try task.insert(db)
                    }
                }
            }
            var service = try ServiceRecord.fetchOne(db)!
            service.nextNodeNumber = 2_001
            service.nextServerID = 2_001
            try service.update(db)
        }
        let store = try ManagerStore(path: path)
        _ = try await store.addNodes(count: 2, maxNodes: 10)
        return (store, directory)
    }

    @Test("With 5,000 finished jobs and 2,000 terminated nodes the current state holds the live nodes and the running job only")
    func currentState() async throws {
        let (store, directory) = try await storeWithHistory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let snapshot = store.snapshot()
        #expect(snapshot.liveNodes.map(\.id) == ["node-2001", "node-2002"])
        #expect(snapshot.master?.id == "node-2001")
        #expect(snapshot.runningJobs.map(\.id) == [5_001])
        #expect(snapshot.runningTasks[5_001]?.count == 2 * Stage.provisioning.count)
        #expect(snapshot.nodeCounts == [.pending: 2, .terminated: 2_000])
        #expect(ManagerService.state(of: snapshot) == .prologue)
        #expect(snapshot.node("node-7") == nil)
        #expect(try await store.node("node-7")?.state == .terminated)
        #expect(try await store.job(3)?.state == .done)
    }

    @Test("Reading the current state, closing jobs and recording a report use indexes: no node, job, task or promotion table is scanned")
    func indexedStatements() async throws {
        let (store, directory) = try await storeWithHistory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = StatementLog()
        try await store.read { db in db.trace { log.statements.append(($0 as Database.TraceEvent).expandedDescription) } }
        _ = try await store.finishJobs()
        try await store.recordReport(nodeID: "node-2001", agentState: "RUNNING", error: nil)
        let scans = try await store.read { db in
            db.trace(options: [])
            return try log.statements.filter { $0.hasPrefix("SELECT") || $0.hasPrefix("UPDATE") }.flatMap { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)").map { $0["detail"] as String }.filter { detail in
                    ["node", "job", "task", "promotion"].contains { detail.hasPrefix("SCAN \($0)") }
                }
            }
        }
        #expect(log.statements.contains { $0.contains("FROM \"node\"") })
        #expect(scans == [])
    }

    @Test("Jobs come newest first in pages: limit, before, and the before of the next page")
    func jobPages() async throws {
        let (store, directory) = try await storeWithHistory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await store.jobs(limit: 50, before: nil)
        #expect(first.jobs.map(\.job.id) == (4_952...5_001).reversed().map(Int64.init))
        #expect(first.jobs[0].tasks.count == 10)
        #expect(first.nextBefore == 4_952)
        let next = try await store.jobs(limit: 1_000, before: first.nextBefore)
        #expect(next.jobs.first?.job.id == 4_951)
        #expect(next.jobs.count == 1_000)
        let last = try await store.jobs(limit: 3, before: 4)
        #expect(last.jobs.map(\.job.id) == [3, 2, 1])
        #expect(last.jobs.map(\.tasks.count) == [5, 2, 5])
        #expect(last.nextBefore == nil)
    }
}
