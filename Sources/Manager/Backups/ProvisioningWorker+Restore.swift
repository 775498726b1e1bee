import ConPaaSCore
import Foundation
import JSONRPC

extension ProvisioningWorker {
    /// Makes the agent behind `client` a copy of the restore's backup, rolled forward
    /// through the archive of the backup's timeline up to the restore's stop (excluded).
    func restore(_ restore: RestoreRecord, with client: RPCClient) async throws {
        guard let backup = try await store.backup(restore.backupID) else {
            throw RPCError.failed("backup \(restore.backupID) is gone")
        }
        var params: [String: JSONValue] = [
            "backup": .string("backups/\(restore.backupID)/\(BackupStore.streamFile)"),
            "binlogs": .array(backupFiles.segments(timeline: backup.timeline).map { .array($0.map(JSONValue.string)) }),
        ]
        if let gtid = restore.untilGTID {
            params["stop_gtid"] = .string(gtid)
        } else if let time = restore.untilTime {
            params["stop_datetime"] = .string(Self.binlogTime(time))
        }
        let answer = try await client.call("restore_backup", params: params)
        let reached = answer["gtid"]?.stringValue ?? ""
        try await store.recordRestoreReached(job: restore.jobID, gtid: reached)
        logger.info("backup restored", metadata: ["backup.id": "\(restore.backupID)", "reached": "\(reached)"])
    }

    /// `mariadb-binlog`'s `--stop-datetime` form, in UTC (the agent runs it with `TZ=UTC`).
    static func binlogTime(_ date: Date) -> String {
        let fields = UTCFields(seconds: time_t(date.timeIntervalSince1970.rounded(.down)))
        return "\(fields.day) \(fields.time)"
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
