import ConPaaSCore

/// One server line of HAProxy's writer or reader backend, as `show servers state` reports it.
struct ServerSlot: Sendable, Equatable {
    struct ID: Sendable, Hashable, CustomStringConvertible {
        var backend: String
        var name: String
        var description: String { "\(backend)/\(name)" }
    }

    var id: ID
    /// Where it points (`127.0.0.1` with port 1 while unused).
    var address: String
    var port: Int
    /// Forced into maintenance: takes no connection.
    var inMaintenance: Bool
}

/// Which node each endpoint should reach, and the admin-socket commands that
/// get HAProxy there from what it has: pure, tested without HAProxy.
enum EndpointPlanner {
    /// The addresses the endpoints should reach.
    struct Layout: Sendable, Equatable {
        /// The writable master (nil: nobody takes writes, e.g. between FENCE and PROMOTE).
        var writer: String?
        /// Replicas that are RUNNING and within the lag limit.
        var readers: Set<String>
        /// The reader's backup: the master, for when no replica qualifies.
        var fallback: String?
    }

    /// The layout for the recorded state: the writer leaves a master once a
    /// promotion has fenced it and reaches the new one as soon as it is
    /// promoted; replicas read only while RUNNING, without a replication error,
    /// and with a known heartbeat lag of at most `maxLag` (a replica whose lag is
    /// unknown, not heard from yet or unable to measure it, does not read).
    static func layout(of snapshot: ServiceSnapshot, statuses: [String: AgentStatus], maxLag: Duration) -> Layout {
        let writer: NodeRecord?
        if let promotion = snapshot.promotions.first {
            if promotion.promotedAt != nil {
                writer = promotion.toNode.flatMap(snapshot.node)
            } else {
                writer = promotion.fencedAt == nil ? snapshot.master : nil
            }
        } else {
            writer = snapshot.writableMaster
        }
        let changing = Set(snapshot.promotions.flatMap { [$0.fromNode] + ($0.toNode.map { [$0] } ?? []) })
        let readers = snapshot.liveNodes.filter { node in
            guard node.role != .master, node.state == .running, node.stage == nil, !changing.contains(node.id) else { return false }
            guard let status = statuses[node.id], let lag = status.performance?.heartbeatLagSeconds else { return false }
            return lag <= maxLag.inSeconds && status.replication?.lastSQLError.isEmpty != false
        }
        return Layout(writer: writer?.address, readers: Set(readers.compactMap(\.address)), fallback: writer?.address)
    }

    /// The admin-socket commands that move `slots` to `layout` (nodes' MariaDB on `port`).
    /// A slot changing master first loses its sessions (fencing); a reader slot
    /// keeps serving the node it has, and a free slot takes each new replica.
    static func commands(from slots: [ServerSlot], to layout: Layout, port: Int) -> [String] {
        var commands: [String] = []
        for slot in slots where slot.id == HAProxyConfig.writerSlot || slot.id == HAProxyConfig.fallbackSlot {
            commands += point(slot, at: slot.id == HAProxyConfig.writerSlot ? layout.writer : layout.fallback, port: port)
        }
        let readerSlots = slots.filter { $0.id.backend == "reader" && $0.id != HAProxyConfig.fallbackSlot }
        var wanted = layout.readers
        var idle: [ServerSlot] = [], freed: [ServerSlot] = []
        for slot in readerSlots {
            if !slot.inMaintenance, wanted.remove(slot.address) != nil { continue }
            if slot.inMaintenance {
                idle.append(slot)
            } else {
                commands.append("set server \(slot.id) state maint")
                freed.append(slot)
            }
        }
        // A slot that already points at a wanted replica takes it back; idle slots go before those just freed.
        var free = idle + freed
        for address in wanted.sorted() {
            guard !free.isEmpty else { break }
            let index = free.firstIndex { $0.address == address } ?? 0
            let slot = free.remove(at: index)
            if slot.address != address || slot.port != port { commands.append("set server \(slot.id) addr \(address) port \(port)") }
            commands += ["set server \(slot.id) state ready", "set server \(slot.id) health up"]
        }
        return commands
    }

    /// Commands that make one slot serve `address` (nil: nothing), cutting the sessions it had on another node.
    private static func point(_ slot: ServerSlot, at address: String?, port: Int) -> [String] {
        let serving = slot.inMaintenance ? nil : slot.address
        guard serving != address else { return [] }
        var commands: [String] = []
        if serving != nil { commands += ["set server \(slot.id) state maint", "shutdown sessions server \(slot.id)"] }
        guard let address else { return commands }
        if slot.address != address || slot.port != port { commands.append("set server \(slot.id) addr \(address) port \(port)") }
        return commands + ["set server \(slot.id) state ready", "set server \(slot.id) health up"]
    }

    /// Parses `show servers state` (format 1): one slot per server line. A slot is in
    /// maintenance while forced (0x01) or inherited (0x02); the configuration's
    /// `disabled` (0x04) stays set after the first `state ready` and means nothing then.
    static func parseServersState(_ text: String) -> [ServerSlot] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 19, Int(fields[0]) != nil else { return nil }
            let admin = Int(fields[6]) ?? 0
            return ServerSlot(
                id: ServerSlot.ID(backend: String(fields[1]), name: String(fields[3])), address: String(fields[4]),
                port: Int(fields[18]) ?? 0, inMaintenance: admin & 0x03 != 0)
        }
    }
}
