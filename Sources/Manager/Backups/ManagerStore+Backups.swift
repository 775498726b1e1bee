import ConPaaSCore
import Foundation
import GRDB
import JSONRPC

/// Backups and restores, each request checked and recorded in one transaction.
extension ManagerStore {
    /// Records a backup job on `node` (chosen by ``BackupPlanner/source(in:)``).
    func startBackup(on node: NodeRecord) async throws -> (job: JobRecord, backup: BackupRecord) {
        try await write { db in
            let service = try ServiceRecord.fetchOne(db)!
            guard service.lifecycle == .active else { throw RPCError.wrongState }
            if let running = try BackupRecord.filter(Column("state") == BackupRecord.State.running.rawValue).fetchOne(db) {
                throw RPCError.failed("backup \(running.id ?? 0) is already running (job \(running.jobID))")
            }
            var job = JobRecord(kind: .backup, state: .running, createdAt: Date())
            try job.insert(db)
            var backup = BackupRecord(
                jobID: job.id!, state: .running, nodeID: node.id, nodeAddress: node.address, timeline: service.timeline, createdAt: Date())
            try backup.insert(db)
            return (job, backup)
        }
    }

    /// Ends a backup and its job together.
    func finishBackup(_ backup: BackupRecord) async throws {
        try await write { db in
            var backup = backup
            backup.finishedAt = Date()
            try backup.update(db)
            guard var job = try JobRecord.fetchOne(db, key: backup.jobID) else { return }
            job.state = backup.state == .complete ? .done : .failed
            job.message = backup.failure ?? "backup \(backup.id ?? 0) at GTID \(backup.gtid ?? "?"), \(backup.bytes) bytes"
            job.finishedAt = Date()
            try job.update(db)
        }
    }

    /// Backups a previous run left RUNNING (the manager stopped during them): FAILED now.
    func failInterruptedBackups() async throws -> [BackupRecord] {
        let running = try await read { db in
            try BackupRecord.filter(Column("state") == BackupRecord.State.running.rawValue).fetchAll(db)
        }
        for var backup in running {
            backup.state = .failed
            backup.failure = "the manager stopped during the backup"
            try await finishBackup(backup)
        }
        return running
    }

    /// Every backup, oldest first.
    func backups() async throws -> [BackupRecord] {
        try await read { db in try BackupRecord.order(Column("id")).fetchAll(db) }
    }

    /// One backup.
    func backup(_ id: Int64) async throws -> BackupRecord? {
        try await read { db in try BackupRecord.fetchOne(db, key: id) }
    }

    /// Forgets a finished backup (its files are removed by the caller).
    func deleteBackup(_ id: Int64) async throws -> BackupRecord {
        try await write { db in
            guard let backup = try BackupRecord.fetchOne(db, key: id) else {
                throw RPCError.invalidArgument("id", detail: "unknown backup \(id)")
            }
            guard backup.state != .running else { throw RPCError.failed("backup \(id) is still running") }
            try BackupRecord.deleteOne(db, key: id)
            return backup
        }
    }

    /// Records a restore job. Only a service without nodes (new, or shut down) can be restored.
    func startRestore(_ restore: RestoreRecord) async throws -> JobRecord {
        try await write { db in
            var service = try ServiceRecord.fetchOne(db)!
            let live = try NodeRecord.filter(Column("state") != NodeState.terminated.rawValue).fetchCount(db)
            let busy = try JobRecord.filter(Column("state") == JobState.running.rawValue).fetchOne(db)
            guard service.lifecycle != .stopping, live == 0, busy == nil else {
                throw RPCError.failed(
                    "a backup can only be restored into a service without nodes (INIT or STOPPED)\(busy.map { "; job \($0.id ?? 0) (\($0.kind.rawValue)) is running" } ?? "")")
            }
            guard let backup = try BackupRecord.fetchOne(db, key: restore.backupID), backup.state == .complete else {
                throw RPCError.invalidArgument("id", detail: "no complete backup \(restore.backupID)")
            }
            _ = backup
            service.lifecycle = .active
            try service.update(db)
            var job = JobRecord(kind: .restore, state: .running, createdAt: Date())
            try job.insert(db)
            var record = restore
            record.jobID = job.id!
            try record.insert(db)
            return job
        }
    }

    /// The backup's files were checked: record the master that restores it, on a new timeline.
    func restoreVerified(job: Int64) async throws -> NodeRecord {
        try await write { db in
            var service = try ServiceRecord.fetchOne(db)!
            guard var restore = try RestoreRecord.fetchOne(db, key: job) else { throw RPCError.failed("no restore for job \(job)") }
            restore.verified = true
            try restore.update(db)
            service.timeline += 1
            let node = try Self.insertNode(role: .master, job: job, service: &service, db: db)
            try service.update(db)
            return node
        }
    }

    /// Ends a restore that booted nothing.
    func failRestore(job id: Int64, reason: String) async throws {
        try await write { db in
            guard var job = try JobRecord.fetchOne(db, key: id), job.state == .running else { return }
            job.state = .failed
            job.message = reason
            job.finishedAt = Date()
            try job.update(db)
        }
    }

    /// The restore request of a job, if it is a restore.
    func restore(job: Int64) async throws -> RestoreRecord? {
        try await read { db in try RestoreRecord.fetchOne(db, key: job) }
    }

    /// Restores whose backup files are still to be checked.
    func unverifiedRestores() async throws -> [RestoreRecord] {
        try await read { db in
            try RestoreRecord.filter(Column("verified") == false)
                .filter(sql: "jobID IN (SELECT id FROM job WHERE state = ?)", arguments: [JobState.running.rawValue]).fetchAll(db)
        }
    }

    /// Records what the restored master reached.
    func recordRestoreReached(job: Int64, gtid: String) async throws {
        try await write { db in
            guard var restore = try RestoreRecord.fetchOne(db, key: job) else { return }
            restore.reachedGTID = gtid
            try restore.update(db)
        }
    }
}
