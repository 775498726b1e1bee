/// A failure inside the agent, with a message fit to show the caller.
public struct AgentError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case internalFailure, serverNotRunning, wrongRole, commandFailed, replicationFailed, invalidInput, staleEpoch
    }

    private let code: Code
    /// What went wrong, in words for the caller (never a secret).
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Something the agent could not do for a local reason (files, processes).
    static func internalFailure(_ message: String) -> AgentError { AgentError(.internalFailure, message) }
    /// mariadbd is not up, so the call cannot run now.
    static let serverNotRunning = AgentError(.serverNotRunning, "MariaDB is not running on this node")
    /// The call does not fit this node's replication role.
    static func wrongRole(_ message: String) -> AgentError { AgentError(.wrongRole, message) }
    /// A MariaDB client tool failed; `detail` is the end of its error output.
    static func commandFailed(_ tool: String, status: Int32, detail: String) -> AgentError {
        AgentError(.commandFailed, "\(tool) failed (exit \(status))\(detail.isEmpty ? "" : ": \(detail)")")
    }
    /// Replication could not be set up or did not start.
    static func replicationFailed(_ message: String) -> AgentError { AgentError(.replicationFailed, message) }
    /// A role change carried an older epoch than this node has seen: it comes from before a promotion.
    static func staleEpoch(_ given: Int?, known: Int) -> AgentError {
        AgentError(.staleEpoch, given.map { "epoch \($0) is older than this node's epoch \(known)" }
            ?? "this node follows the service's epochs (now \(known)); the call must carry one")
    }
    /// A parameter was acceptable in type but not in value.
    static func invalidInput(_ message: String) -> AgentError { AgentError(.invalidInput, message) }

    /// Whether this is the error of a call made while mariadbd was down.
    public var isServerNotRunning: Bool { code == .serverNotRunning }

    public var description: String { message }
}
