/// The IPv4 block of onesim's only virtual network (id 0, "default"), e.g.
/// `10.0.0.0/24` for documents only, or a loopback block such as
/// `127.0.70.0/24` when VMs are booted locally and must be reachable.
public struct LeaseRange: Sendable, Hashable, CustomStringConvertible {
    /// The network address.
    let base: UInt32
    let prefixLength: Int

    /// Parses `A.B.C.D/N` with N between 8 and 30.
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (8...30).contains(prefix),
              let address = Self.number(String(parts[0])) else { return nil }
        prefixLength = prefix
        base = address & ~(UInt32.max >> prefix)
    }

    /// `A.B.C.D/N`.
    public var description: String { "\(Self.text(base))/\(prefixLength)" }

    /// The gateway (first host address); leases start after it.
    var gateway: UInt32 { base + 1 }
    /// The broadcast address.
    var broadcast: UInt32 { base | (UInt32.max >> prefixLength) }
    var mask: String { Self.text(~(UInt32.max >> prefixLength)) }

    /// Whether loopback traffic reaches every address of the block.
    public var isLoopback: Bool { base >> 24 == 127 }

    static func number(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func text(_ number: UInt32) -> String {
        (0..<4).map { String((number >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
    }
}

/// The addresses of the default network held by VMs that are not DONE.
struct LeasePool: Sendable {
    let range: LeaseRange
    private(set) var leased: Set<UInt32> = []

    init(range: LeaseRange) {
        self.range = range
    }

    /// Takes `requested` (when a NIC asks for a given IP) or the lowest free address.
    mutating func lease(_ requested: String?) throws(OneFailure) -> String {
        if let requested {
            guard let number = LeaseRange.number(requested), number > range.gateway, number < range.broadcast,
                  !leased.contains(number) else {
                throw OneFailure.allocation("Cannot get IP/MAC lease from virtual network 0 (IP \(requested) is not free).")
            }
            leased.insert(number)
            return requested
        }
        var candidate = range.gateway + 1
        while candidate < range.broadcast {
            if leased.insert(candidate).inserted { return LeaseRange.text(candidate) }
            candidate += 1
        }
        throw OneFailure.allocation("Cannot get IP/MAC lease from virtual network 0.")
    }

    /// Gives `address` back.
    mutating func release(_ address: String) {
        if let number = LeaseRange.number(address) { leased.remove(number) }
    }

    /// `02:00` followed by the address's four bytes, as OpenNebula builds MACs.
    static func mac(for address: String) -> String {
        let number = LeaseRange.number(address) ?? 0
        let bytes = (0..<4).map { shift -> String in
            let byte = String((number >> (24 - 8 * shift)) & 0xFF, radix: 16)
            return byte.count == 1 ? "0" + byte : byte
        }
        return (["02", "00"] + bytes).joined(separator: ":")
    }

    /// What `$NETWORK[ATTR, NETWORK_ID=0]` and `NETWORK=YES` read.
    var networkAttributes: [String: String] {
        let gateway = LeaseRange.text(range.gateway)
        return [
            "NAME": "default", "ID": "0", "GATEWAY": gateway, "DNS": gateway,
            "NETWORK_ADDRESS": LeaseRange.text(range.base), "NETWORK_MASK": range.mask, "BRIDGE": "br0",
        ]
    }
}
