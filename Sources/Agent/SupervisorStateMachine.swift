import ConPaaSCore

/// What the mariadbd supervisor should do next, given what happened: a pure
/// state machine, so crash, restart and shutdown rules are tested without processes.
struct SupervisorStateMachine: Sendable {
    enum State: Sendable, Equatable {
        case idle, starting, running, stopping(thenStart: Bool), waitingToRestart, shuttingDown, finished
    }

    enum Action: Sendable, Equatable {
        case none, spawn, terminate, scheduleRestart(after: Duration), finish
    }

    private(set) var state: State = .idle
    /// Unexpected exits since the agent started (visible in `get_server_state`).
    private(set) var crashes = 0
    /// Unexpected exits since the server was last ready; drives the back-off.
    private(set) var consecutiveFailures = 0
    /// Whether the server has ever been asked to start.
    private(set) var everStarted = false

    /// The back-off before restart number `failures`: 0.5 s doubling, at most 10 s.
    static func backoff(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 5)
        return min(.milliseconds(500 * (1 << exponent)), .seconds(10))
    }

    /// The agent state this maps to for `get_server_state`.
    var agentState: AgentState {
        switch state {
        case .idle: everStarted ? .stopped : .initializing
        case .starting, .waitingToRestart: .starting
        case .running: .running
        case .stopping, .shuttingDown: .stopping
        case .finished: .stopped
        }
    }

    mutating func startRequested() -> Action {
        switch state {
        case .idle:
            everStarted = true
            state = .starting
            return .spawn
        case .stopping:
            state = .stopping(thenStart: true)
            return .none
        default:
            return .none
        }
    }

    mutating func stopRequested() -> Action {
        switch state {
        case .starting, .running:
            state = .stopping(thenStart: false)
            return .terminate
        case .stopping:
            state = .stopping(thenStart: false)
            return .none
        case .waitingToRestart:
            state = .idle
            return .none
        default:
            return .none
        }
    }

    mutating func restartRequested() -> Action {
        switch state {
        case .starting, .running, .stopping:
            state = .stopping(thenStart: true)
            return .terminate
        case .idle, .waitingToRestart:
            everStarted = true
            state = .starting
            return .spawn
        default:
            return .none
        }
    }

    mutating func becameReady() -> Action {
        guard state == .starting else { return .none }
        state = .running
        consecutiveFailures = 0
        return .none
    }

    /// mariadbd exited, or could not be spawned, or never became ready.
    mutating func processEnded() -> Action {
        switch state {
        case .starting, .running:
            crashes += 1
            consecutiveFailures += 1
            state = .waitingToRestart
            return .scheduleRestart(after: Self.backoff(afterFailures: consecutiveFailures))
        case .stopping(let thenStart):
            state = thenStart ? .starting : .idle
            return thenStart ? .spawn : .none
        case .shuttingDown:
            state = .finished
            return .finish
        default:
            return .none
        }
    }

    mutating func backoffElapsed() -> Action {
        guard state == .waitingToRestart else { return .none }
        state = .starting
        return .spawn
    }

    mutating func shutdownRequested() -> Action {
        switch state {
        case .starting, .running, .stopping:
            state = .shuttingDown
            return .terminate
        case .idle, .waitingToRestart:
            state = .finished
            return .finish
        case .shuttingDown, .finished:
            return .none
        }
    }
}
