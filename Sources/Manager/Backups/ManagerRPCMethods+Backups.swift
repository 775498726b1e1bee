import ConPaaSCore
import Foundation
import JSONRPC

extension ManagerRPCMethods {
    /// `create_backup`, `list_backups`, `delete_backup` and `restore_backup`.
    static func registerBackupMethods(_ methods: inout RPCMethods, backups: BackupService, archiver: BinlogArchiver?) {
        let metrics = backups.metrics
        methods.registerForwarding("create_backup", kind: .post, metrics: metrics) { params in
            try params.expectOnly([])
            let job = try await backups.requestBackup()
            return ["job": .int(Int(job.id ?? 0))]
        }
        methods.registerForwarding("list_backups", kind: .get, metrics: metrics) { params in
            try params.expectOnly([])
            let records = try await backups.store.backups()
            let timeline = backups.store.snapshot().service.timeline
            let range = BackupPlanner.restorable(records, timeline: timeline, archivedUntil: archiver?.archivedUntil(timeline: timeline))
            return [
                "backups": .array(records.map(json)),
                "restorable": range.map { ["from": .string($0.from.iso8601), "until": .string($0.until.iso8601)] } ?? .null,
            ]
        }
        methods.registerForwarding("delete_backup", kind: .post, metrics: metrics) { params in
            try params.expectOnly(["id"])
            let backup = try await backups.store.deleteBackup(Int64(try params.int("id")))
            backups.files.remove(backup.id ?? 0)
            return [:]
        }
        methods.registerForwarding("restore_backup", kind: .post, metrics: metrics) { params in
            try params.expectOnly(["id", "until"])
            let id = Int64(try params.int("id"))
            guard let backup = try await backups.store.backup(id), backup.state == .complete else {
                throw RPCError.invalidArgument("id", detail: "no complete backup \(id)")
            }
            var restore = RestoreRecord(jobID: 0, backupID: id, verified: false)
            if let until = try params.optionalString("until") {
                if let time = parseTime(until) {
                    let archived = archiver?.archivedUntil(timeline: backup.timeline)
                    if let problem = BackupPlanner.problem(restoring: backup, until: time, archivedUntil: archived) {
                        throw RPCError.invalidArgument("until", detail: problem)
                    }
                    restore.untilTime = time
                } else if let position = GTIDPosition(until), position.domains.count == 1 {
                    if let start = backup.gtid.flatMap(GTIDPosition.init), start.contains(position) {
                        throw RPCError.invalidArgument("until", detail: "backup \(id) already holds \(until) (it is at \(start))")
                    }
                    restore.untilGTID = until
                } else {
                    throw RPCError.invalidArgument("until", detail: "expected an ISO-8601 UTC time (2026-11-29T12:00:00Z) or one GTID (0-1-42)")
                }
            }
            let job = try await backups.store.startRestore(restore)
            backups.wake()
            backups.logger.notice("restore requested", metadata: ["job.id": "\(job.id ?? 0)", "backup.id": "\(id)"])
            return ["job": .int(Int(job.id ?? 0))]
        }
    }

    static func json(_ backup: BackupRecord) -> JSONValue {
        [
            "id": .int(Int(backup.id ?? 0)), "created_at": .string(backup.createdAt.iso8601),
            "finished_at": backup.finishedAt.map { .string($0.iso8601) } ?? .null,
            "node": backup.nodeID.map(JSONValue.string) ?? .null, "gtid": backup.gtid.map(JSONValue.string) ?? .null,
            "bytes": .int(Int(backup.bytes)), "state": .string(backup.state.rawValue), "timeline": .int(backup.timeline),
            "failure": backup.failure.map(JSONValue.string) ?? .null,
        ]
    }

    /// An ISO-8601 UTC time, with or without fractional seconds.
    static func parseTime(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle().parse(text)) ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
    }
}
