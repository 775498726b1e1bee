import ConPaaSCore
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
        try await write { db in
            try OrphanAccountRecord(replicaHost: replicaHost, recordedAt: Date()).insert(db, onConflict: .ignore)
        }
    }

    /// The replica addresses whose accounts are still to be dropped, oldest first.
    func orphanAccounts() async throws -> [String] {
        try await read { db in
            try OrphanAccountRecord.order(Column("recordedAt")).fetchAll(db).map(\.replicaHost)
        }
    }

    /// Forgets the record once the account is gone (or belongs to a live node again).
    func forgetOrphanAccount(replicaHost: String) async throws {
        _ = try await write { db in
            try OrphanAccountRecord.deleteOne(db, key: replicaHost)
        }
    }
}

/// What to do about replication accounts left on the master by replicas drained
/// while there was no writable master: a pure function of the records.
enum OrphanAccountPlanner {
    /// The cleanup to carry out now.
    struct Cleanup: Sendable, Equatable {
        /// The writable master's address, where the accounts are dropped.
        var masterAddress: String?
        /// Replica addresses whose accounts to drop on that master.
        var drop: [String] = []
        /// Replica addresses whose records to forget without a drop: a live node
        /// (not one being removed) has that address again, and the account, named after
        /// it, is its own now.
        var forget: [String] = []
    }

    /// The cleanup for `orphans` given every node and the writable `master` (nil while
    /// there is none: drops wait for one; records of reused addresses are forgotten at once).
    static func cleanup(orphans: [String], nodes: [NodeRecord], master: NodeRecord?) -> Cleanup {
        let liveAddresses = Set(nodes.filter { $0.state.isLive && $0.state != .removing }.compactMap(\.address))
        var cleanup = Cleanup(forget: orphans.filter(liveAddresses.contains))
        if let master, master.state == .running, let address = master.address {
            cleanup.masterAddress = address
            cleanup.drop = orphans.filter { !liveAddresses.contains($0) }
        }
        return cleanup
    }
}
