import ConPaaSCore
import Foundation
import Synchronization

/// The latest status each node's agent gave, and when each node was last
/// healthy (agent answering, mariadbd running). In memory: after a restart the
/// monitor fills it again within a probe, and silence counts from the restart.
final class StatusBoard: Sendable {
    private struct Entry {
        var status: AgentStatus
        var at: Date
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let healthy = Mutex<[String: Date]>([:])
    private let started = Date()

    /// Records a status; a RUNNING agent marks the node healthy now.
    func record(_ status: AgentStatus, for node: String, at now: Date = Date()) {
        entries.withLock { $0[node] = Entry(status: status, at: now) }
        if status.state == AgentState.running.rawValue { healthy.withLock { $0[node] = now } }
    }

    /// The node's latest status, if any.
    func status(of node: String) -> AgentStatus? { entries.withLock { $0[node]?.status } }

    /// Every node's latest status.
    var statuses: [String: AgentStatus] { entries.withLock { $0.mapValues(\.status) } }

    /// When the node was last healthy: probed or reported RUNNING (before any
    /// word from it, when this manager started).
    func lastHealthy(_ node: NodeRecord) -> Date {
        let reported = node.agentState == AgentState.running.rawValue ? node.lastSeen : nil
        return [healthy.withLock { $0[node.id] }, reported, started].compactMap { $0 }.max()!
    }

    /// How long the node has been silent or unhealthy.
    func silence(of node: NodeRecord, now: Date = Date()) -> Duration {
        .milliseconds(Int64(max(0, now.timeIntervalSince(lastHealthy(node))) * 1000))
    }
}
