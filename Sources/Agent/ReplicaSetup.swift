import JSONRPC

/// The account a replica logs in to its master with (`REPLICATION SLAVE` only).
struct ReplicationAccount: Sendable, Equatable {
    var user: String
    var password: String
}

/// A request to make this node a replica, checked and typed.
struct ReplicaSetup: Sendable, Equatable {
    /// Where the replica starts reading the master's binlog.
    enum StartingPoint: Sendable, Equatable {
        /// Seed from a consistent snapshot of the master, then follow from its GTID position.
        case snapshot
        /// Seed with a physical copy (`mariadb-backup`) streamed from the agent on
        /// this host (the master or a current replica), then follow from its position;
        /// with a dump instead when the source holds less than `minimumBytes` (a copy
        /// costs a restart and a prepare, seconds a small dump does not).
        case physicalCopy(sourceHost: String, minimumBytes: Int64)
        /// The replica already holds everything up to this GTID position.
        case gtid(String)
        /// Classic ConPaaS form: a binlog file and position on a fresh master.
        case binlogFile(name: String, position: Int)

        /// Whether the node starts from its own (empty) data rather than a copy of the master's.
        var bringsNoSeed: Bool {
            switch self {
            case .snapshot, .physicalCopy: false
            case .gtid, .binlogFile: true
            }
        }
    }

    var masterHost: String
    var masterPort: Int
    /// The master's agent, for the snapshot and the replication account.
    var masterAgentPort: Int
    /// Replication account; asked from the master agent when absent.
    var credentials: ReplicationAccount?
    var startingPoint: StartingPoint
    /// A new `server_id` for this node (classic `slave_server_id`).
    var serverID: UInt32?

    /// Below this much data a dump seeds faster than a physical copy (measured: the copy's
    /// stop, prepare and start cost about 3 s; a dump loads about 10 MB a second here).
    static let physicalCopyMinimumBytes: Int64 = 32 << 20

    /// Whether `text` is a GTID position: `domain-server-sequence` items, comma separated (or empty).
    static func isValidGTIDPosition(_ text: String) -> Bool {
        if text.isEmpty { return true }
        return text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let parts = item.trimmingWhitespace().split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt64($0) != nil }
        }
    }

    /// Whether `name` looks like a binlog file name (`mysql-bin.000001`).
    static func isValidBinlogFileName(_ name: String) -> Bool {
        (1...255).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
