/// A MariaDB GTID position (`@@gtid_current_pos`, `Gtid_IO_Pos`): for each
/// replication domain, its newest `domain-server-sequence`. With
/// `gtid_strict_mode` sequence numbers only grow within a domain, so positions
/// compare domain by domain.
public struct GTIDPosition: Sendable, Hashable, CustomStringConvertible {
    /// One domain's newest transaction.
    public struct GTID: Sendable, Hashable {
        public var domain: UInt32
        public var server: UInt32
        public var sequence: UInt64
    }

    /// The newest transaction of each domain, by domain.
    public private(set) var domains: [UInt32: GTID]

    /// Parses `0-1-42,1-2-7`; an empty text is the empty position. Nil when malformed.
    public init?(_ text: String) {
        domains = [:]
        for part in text.split(separator: ",") {
            let fields = part.filter { $0 != " " }.split(separator: "-")
            guard fields.count == 3, let domain = UInt32(fields[0]), let server = UInt32(fields[1]), let sequence = UInt64(fields[2]) else {
                return nil
            }
            domains[domain] = GTID(domain: domain, server: server, sequence: sequence)
        }
    }

    public var description: String {
        domains.keys.sorted().map { key in
            let gtid = domains[key]!
            return "\(gtid.domain)-\(gtid.server)-\(gtid.sequence)"
        }.joined(separator: ",")
    }

    /// Whether this position holds every transaction `other` holds (in each domain, at least as far).
    public func contains(_ other: GTIDPosition) -> Bool {
        other.domains.allSatisfy { domain, gtid in (domains[domain]?.sequence ?? 0) >= gtid.sequence }
    }

    /// Transactions `self` has beyond `other`, as `domain-server-from..to` ranges (empty when none).
    public func missing(from other: GTIDPosition) -> [String] {
        domains.keys.sorted().compactMap { domain in
            let gtid = domains[domain]!
            let had = other.domains[domain]?.sequence ?? 0
            guard gtid.sequence > had else { return nil }
            return had + 1 == gtid.sequence
                ? "\(domain)-\(gtid.server)-\(gtid.sequence)" : "\(domain)-\(gtid.server)-\(had + 1)..\(gtid.sequence)"
        }
    }

    /// The sum of sequence numbers: a total order for choosing among positions none of which contains the rest.
    public var weight: UInt64 { domains.values.reduce(0) { $0 + $1.sequence } }
}
