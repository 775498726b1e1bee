import Foundation
import GRDB

/// A master changing hands, recorded stage by stage so that a manager killed
/// in the middle carries on where it was (one row per switchover or failover job).
struct PromotionRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "promotion"

    enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        /// Planned: the old master is healthy, made read-only, and waited for.
        case switchover
        /// Forced: the old master is dead (or declared so); it is fenced, never waited for.
        case failover
    }

    /// What becomes of the old master once the new one takes writes.
    enum Afterwards: String, Codable, Sendable, DatabaseValueConvertible {
        /// It replicates from the new master (switchover).
        case demote
        /// It is removed (`remove_nodes` of the master).
        case remove
        /// It is removed and a new replica takes its place (`replace_node`, failover with healing).
        case replace
        /// It is destroyed and nothing replaces it (failover without healing).
        case terminate
    }

    var jobID: Int64
    var kind: Kind
    /// Started by the manager itself (failure detection), not by a call.
    var automatic: Bool
    var fromNode: String
    /// The node taking over: the one asked for, or the one ELECT chose.
    var toNode: String?
    var afterwards: Afterwards
    /// The stage under way; nil once finished.
    var stage: Stage?
    /// The epoch of this promotion, raised when FENCE starts.
    var epoch: Int?
    /// Why it started (for a failover: what showed the master dead).
    var reason: String?
    /// When the old master last answered as healthy.
    var masterLastSeen: Date?
    /// The old master's last known binlog position.
    var oldMasterGTID: String?
    /// Whether semi-sync was on when the old master was last seen ("on", "off", "n/a").
    var semiSyncBefore: String?
    var fencedAt: Date?
    var promotedAt: Date?
    /// The promoted node's position after catching up.
    var promotedGTID: String?
    /// Transactions the old master may have had that the new one lacks.
    var lostGTIDs: String?
    /// Why it failed; nil while it runs and when it succeeded.
    var failure: String?
    var startedAt: Date

    /// Its stages, in order.
    var plan: [Stage] {
        switch kind {
        case .failover: [.detect, .fence, .elect, .catchUp, .promote, .repoint, .heal]
        case .switchover: [.elect, .fence, .catchUp, .promote, .repoint, .heal]
        }
    }

    /// Milliseconds without a writable master: from the master's last healthy
    /// moment (failover) or its fencing (switchover) to the promotion.
    var writeUnavailableMilliseconds: Int? {
        guard let promotedAt, let from = kind == .failover ? (masterLastSeen ?? fencedAt) : fencedAt else { return nil }
        return max(0, Int(promotedAt.timeIntervalSince(from) * 1000))
    }
}
