import JSONRPC
import Logging
import ServiceLifecycle

/// Tells the manager this agent's status with `register_node` every few seconds,
/// and at once when mariadbd's state changes (the manager waits for RUNNING to
/// configure a new node; the supervisor wakes the reporter, nothing polls). Failures are logged (the first one, then every tenth)
/// and never stop the agent. The first report waits until the agent's own server
/// listens: a manager may call back at once (a node awaiting a restore is ready to be
/// configured from its first report).
struct ManagerReporter: Service {
    let node: AgentNode
    let client: RPCClient
    let interval: Duration
    let listening: ListeningSignal
    let logger: Logger

    func run() async throws {
        await listening.wait()
        var failures = 0
        while !Task.isCancelledOrShuttingDown {
            let reported = node.supervisor.agentState
            do {
                _ = try await client.call("register_node", params: ["state": await node.statusReport()])
                if failures > 0 { logger.info("reached the manager again", metadata: ["failed.calls": "\(failures)"]) }
                failures = 0
            } catch {
                if failures % 10 == 0 { logger.warning("register_node failed: \(error)") }
                failures += 1
            }
            let (supervisor, next) = (node.supervisor, ContinuousClock.now + interval)
            _ = await cancelWhenGracefulShutdown { await supervisor.wait(until: next) { $0.agentState != reported } }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task was cancelled or its service group is shutting down.
    static var isCancelledOrShuttingDown: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully
    }
}

/// Set once the agent's HTTP server listens.
final class ListeningSignal: Sendable {
    private let changes = ChangeNotifier()

    func set() { changes.notify() }

    /// Returns once ``set()`` was called, on cancellation or at a graceful shutdown.
    func wait() async {
        guard changes.generation == 0 else { return }
        await cancelWhenGracefulShutdown { [changes] in await changes.wait(after: 0) }
    }
}
