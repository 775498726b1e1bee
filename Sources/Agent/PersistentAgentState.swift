import ConPaaSCore
import FoundationEssentials
import Synchronization

/// What the agent must remember across its own restarts: role, server id, epoch
/// and the settings changed with `set_server_configuration`. Kept in `agent-state.json`.
struct PersistentAgentState: Codable, Sendable, Equatable {
    var role: NodeRole = .none
    var serverID: UInt32?
    var overrides: [String: String] = [:]
    /// The master this replica follows, for `get_server_state`.
    var masterHost: String?
    /// The highest service epoch the manager has sent (nil: none yet). Calls
    /// that change the role carry an epoch; an older one is refused.
    var epoch: Int?
}

/// The state above, loaded at start and written through on every change.
final class AgentStateStore: Sendable {
    private let path: String
    private let current: Mutex<PersistentAgentState>

    /// Loads `path`, or starts empty when there is no file yet.
    init(path: String) throws {
        self.path = path
        if FileSystem.exists(path) {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            do {
                current = Mutex(try JSONDecoder().decode(PersistentAgentState.self, from: data))
            } catch {
                throw AgentError.internalFailure("\(path) is damaged: \(error)")
            }
        } else {
            current = Mutex(PersistentAgentState())
        }
    }

    var value: PersistentAgentState { current.withLock { $0 } }

    /// Applies `change` and writes the result to disk before answering.
    func update(_ change: (inout PersistentAgentState) -> Void) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try current.withLock { state in
            var next = state
            change(&next)
            let text = String(decoding: try encoder.encode(next), as: UTF8.self)
            try FileSystem.writeAtomically(text, to: path)
            state = next
        }
    }
}
