import Foundation
import GRDB

/// A replica's replication account that could not be dropped when the replica was
/// drained (no writable master then): the worker drops it once a master is back.
struct OrphanAccountRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "orphanAccount"

    /// The drained replica's address, which names the account on the master.
    var replicaHost: String
    var recordedAt: Date
}

extension ManagerStore {
    /// Records that the account of the replica at `replicaHost` is still on the master (idempotent).
    func recordOrphanAccount(replicaHost: String) async throws {
        try await database.write { db in
            try OrphanAccountRecord(replicaHost: replicaHost, recordedAt: Date()).insert(db, onConflict: .ignore)
        }
    }

    /// The replica addresses whose accounts are still to be dropped, oldest first.
    func orphanAccounts() async throws -> [String] {
        try await database.read { db in
            try OrphanAccountRecord.order(Column("recordedAt")).fetchAll(db).map(\.replicaHost)
        }
    }

    /// Forgets the record once the account is gone (or belongs to a live node again).
    func forgetOrphanAccount(replicaHost: String) async throws {
        _ = try await database.write { db in
            try OrphanAccountRecord.deleteOne(db, key: replicaHost)
        }
    }
}
