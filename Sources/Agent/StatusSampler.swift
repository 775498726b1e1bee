import ConPaaSCore
import FoundationEssentials
import Logging
import MariaDB
import ServiceLifecycle
import Synchronization

/// Measures the node once a second: queries and errors per second, connections
/// and the round trip of a trivial query; on the master it also writes the
/// ``Heartbeat`` row, from which a replica's lag is measured each time its
/// status is asked (``AgentNode/status()``).
final class StatusSampler: Service, Sendable {
    /// The latest figures, for `get_server_state`.
    struct Figures: Sendable, Equatable {
        var queriesPerSecond: Double?
        var errorsPerSecond: Double?
        var connections: Int?
        var responseTimeMilliseconds: Double?
    }

    private struct Counters {
        var at: ContinuousClock.Instant
        var questions: Int
        var errors: Int
    }

    private struct State {
        var figures = Figures()
        var previous: Counters?
    }

    private let database: LocalDatabase
    private let supervisor: MariaDBSupervisor
    private let store: AgentStateStore
    private let logger: Logger
    private let state = Mutex(State())

    init(database: LocalDatabase, supervisor: MariaDBSupervisor, store: AgentStateStore, logger: Logger) {
        self.database = database
        self.supervisor = supervisor
        self.store = store
        self.logger = logger
    }

    var figures: Figures { state.withLock { $0.figures } }

    func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            if supervisor.agentState == .running {
                do {
                    try await sample()
                } catch {
                    logger.debug("status sample failed: \(error)")
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func sample() async throws {
        let role = store.value.role
        let (roundTrip, status) = try await database.withConnection { connection in
            let started = ContinuousClock.now
            _ = try await connection.query("SELECT 1")
            let roundTrip = ContinuousClock.now - started
            if role == .master { try await Heartbeat.beat(on: connection) }
            let rows = try await connection.query(
                "SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Threads_connected', 'Aborted_clients', 'Aborted_connects')")
            let status = Dictionary(rows.map { ($0["Variable_name"] ?? "", Int($0["Value"] ?? "") ?? 0) }, uniquingKeysWith: { $1 })
            return (roundTrip, status)
        }
        // The sampler's own statements between two readings: SELECT 1, SHOW STATUS and the master's REPLACE.
        let ownStatements = role == .master ? 3 : 2
        let now = ContinuousClock.now
        let counters = Counters(
            at: now, questions: status["Questions"] ?? 0, errors: (status["Aborted_clients"] ?? 0) + (status["Aborted_connects"] ?? 0))
        state.withLock { state in
            state.figures.connections = status["Threads_connected"]
            state.figures.responseTimeMilliseconds = roundTrip.inSeconds * 1000
            if let before = state.previous, before.at.duration(to: now).inSeconds > 0 {
                let seconds = before.at.duration(to: now).inSeconds
                state.figures.queriesPerSecond = Double(max(0, counters.questions - before.questions - ownStatements)) / seconds
                state.figures.errorsPerSecond = Double(max(0, counters.errors - before.errors)) / seconds
            }
            state.previous = counters
        }
    }
}
