import Foundation
import GRDB

/// A physical backup in the store: RUNNING while it streams, then COMPLETE (its
/// files and manifest written and checksummed) or FAILED.
struct BackupRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "backup"

    enum State: String, Codable, Sendable, DatabaseValueConvertible {
        case running = "RUNNING", complete = "COMPLETE", failed = "FAILED"
    }

    var id: Int64?
    var jobID: Int64
    var state: State
    /// The node it was taken on, and that node's address then.
    var nodeID: String?
    var nodeAddress: String?
    /// The server's GTID position at the backup's consistent point.
    var gtid: String?
    var bytes: Int64 = 0
    /// Restores of the service so far when it was taken: the binlog archive it rolls forward through.
    var timeline: Int
    var createdAt: Date
    var finishedAt: Date?
    var failure: String?

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// A restore job's request, kept until its master is booted from the backup.
struct RestoreRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "restore"

    var jobID: Int64
    var backupID: Int64
    /// Stop before this time (UTC) or this GTID; nil: replay all that is archived.
    var untilTime: Date?
    var untilGTID: String?
    /// Set once the backup's files were checked and the master node recorded.
    var verified: Bool
    /// The GTID position the restored master reached.
    var reachedGTID: String?
}

extension ManagerStore {
    /// The backup tables, with the service's timeline (raised by each restore).
    static func registerBackupMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3: backups") { db in
            try db.alter(table: "service") { table in
                table.add(column: "timeline", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "backup") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("jobID", .integer).notNull().references("job")
                table.column("state", .text).notNull()
                table.column("nodeID", .text)
                table.column("nodeAddress", .text)
                table.column("gtid", .text)
                table.column("bytes", .integer).notNull()
                table.column("timeline", .integer).notNull()
                table.column("createdAt", .datetime).notNull()
                table.column("finishedAt", .datetime)
                table.column("failure", .text)
            }
            try db.create(table: "restore") { table in
                table.primaryKey("jobID", .integer).references("job")
                table.column("backupID", .integer).notNull()
                table.column("untilTime", .datetime)
                table.column("untilGTID", .text)
                table.column("verified", .boolean).notNull()
                table.column("reachedGTID", .text)
            }
        }
    }
}
