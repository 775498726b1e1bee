import Foundation
import GRDB

/// Finished jobs, read only when asked (`get_job`, `list_jobs`): the current
/// state (``ManagerStore/snapshot()``) never reads them.
extension ManagerStore {
    /// One page of jobs, newest first.
    struct JobPage: Sendable {
        /// The jobs of the page, each with its tasks in plan order.
        var jobs: [(job: JobRecord, tasks: [TaskRecord])]
        /// The `before` that reads the next page, or nil when this page holds the oldest job.
        var nextBefore: Int64?
    }

    /// One job by id, finished or not.
    func job(_ id: Int64) async throws -> JobRecord? {
        try await read { db in try JobRecord.fetchOne(db, key: id) }
    }

    /// The `limit` newest jobs whose id is below `before` (all ids when nil), with their tasks.
    func jobs(limit: Int, before: Int64?) async throws -> JobPage {
        try await read { db in
            let older = before.map { JobRecord.filter(Column("id") < $0) } ?? JobRecord.all()
            let found = try older.order(Column("id").desc).limit(limit + 1).fetchAll(db)
            let page = Array(found.prefix(limit))
            let ids = page.compactMap(\.id)
            let tasks = Dictionary(grouping: try TaskRecord.filter(ids.contains(Column("jobID"))).order(Column("id")).fetchAll(db), by: \.jobID)
            return JobPage(jobs: page.map { ($0, tasks[$0.id!] ?? []) }, nextBefore: found.count > limit ? page.last?.id : nil)
        }
    }
}
