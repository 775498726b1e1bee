import ConPaaSCore
import Glibc
import JSONRPC
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Runs the agent's mariadbd as a child process: starts it, restarts it with
/// back-off when it dies, stops it on request and on graceful shutdown.
///
/// Decisions come from ``SupervisorStateMachine``; this type only performs them.
final class MariaDBSupervisor: Service, Sendable {
    enum Event: Sendable {
        case start, stop, restart, shutdown, backoffElapsed
        case ready(generation: Int), ended(generation: Int)
    }

    private struct Status {
        var machine = SupervisorStateMachine()
        var generation = 0
        var process: Subprocess?
        var lastExit: String?
    }

    private let paths: AgentPaths
    private let small: Bool
    private let startsAtLaunch: Bool
    private let prepare: @Sendable () throws -> Void
    private let onReady: @Sendable () async throws -> Void
    private let threadPool: NIOThreadPool
    private let logger: Logger
    private let status = Mutex(Status())
    private let changes = ChangeNotifier()
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    /// `prepare` runs before every start (it renders my.cnf from the current settings);
    /// `onReady` once the server accepts connections, before it counts as running.
    /// Without `startsAtLaunch` the server waits for a `.start` (a node awaiting a restore).
    init(
        paths: AgentPaths, small: Bool, startsAtLaunch: Bool = true, threadPool: NIOThreadPool, logger: Logger,
        prepare: @escaping @Sendable () throws -> Void, onReady: @escaping @Sendable () async throws -> Void
    ) {
        self.paths = paths
        self.small = small
        self.startsAtLaunch = startsAtLaunch
        self.prepare = prepare
        self.onReady = onReady
        self.threadPool = threadPool
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream()
    }

    /// The state for `get_server_state`.
    var agentState: AgentState { status.withLock { $0.machine.agentState } }
    /// How many times mariadbd died unexpectedly and was restarted.
    var crashes: Int { status.withLock { $0.machine.crashes } }
    /// How the last mariadbd process ended, if one did.
    var lastExit: String? { status.withLock { $0.lastExit } }
    /// How many mariadbd processes were started so far.
    var starts: Int { status.withLock { $0.generation } }
    /// The pid of the running mariadbd, if any.
    var pid: Int32? { status.withLock { $0.process?.pid } }

    func send(_ event: Event) { continuation.yield(event) }

    /// SIGKILLs the running mariadbd at once (its data is about to be replaced);
    /// the supervisor then sees it end as after a stop.
    func killServer() { status.withLock { $0.process?.send(SIGKILL) } }

    /// Waits until `condition` holds of the supervisor (its state, its starts) and answers
    /// true, or answers false at `deadline` or when the task is cancelled. Woken by each
    /// event the supervisor handles, never by polling.
    func wait(until deadline: ContinuousClock.Instant, for condition: @Sendable (MariaDBSupervisor) -> Bool) async -> Bool {
        while true {
            let seen = changes.generation
            if condition(self) { return true }
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            await changes.wait(after: seen, until: deadline)
        }
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if startsAtLaunch { continuation.yield(.start) }
                for await event in events {
                    let action = status.withLock { apply(event, to: &$0) }
                    let finished = perform(action, in: &group)
                    changes.notify()
                    if finished { break }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [continuation] in
            continuation.yield(.shutdown)
        }
        await stopLeftoverProcess()
    }

    /// After a cancellation (not a graceful shutdown) mariadbd may still run: stop it.
    private func stopLeftoverProcess() async {
        guard let process = status.withLock({ $0.process }), process.isRunning else { return }
        logger.info("stopping mariadbd")
        process.send(SIGTERM)
        for _ in 0..<600 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        process.send(SIGKILL)
    }

    private func apply(_ event: Event, to status: inout Status) -> SupervisorStateMachine.Action {
        switch event {
        case .start: return status.machine.startRequested()
        case .stop: return status.machine.stopRequested()
        case .restart: return status.machine.restartRequested()
        case .shutdown: return status.machine.shutdownRequested()
        case .backoffElapsed: return status.machine.backoffElapsed()
        case .ready(let generation):
            return generation == status.generation ? status.machine.becameReady() : .none
        case .ended(let generation):
            guard generation == status.generation else { return .none }
            status.process = nil
            return status.machine.processEnded()
        }
    }

    /// Carries out `action`; answers true when the supervisor is finished.
    private func perform(_ action: SupervisorStateMachine.Action, in group: inout DiscardingTaskGroup) -> Bool {
        switch action {
        case .none:
            return false
        case .finish:
            logger.info("mariadbd supervisor finished")
            return true
        case .terminate:
            terminate(in: &group)
            return false
        case .scheduleRestart(let delay):
            logger.warning("mariadbd ended unexpectedly; restarting", metadata: ["delay": "\(delay)", "exit": "\(lastExit ?? "?")"])
            group.addTask { [continuation] in
                try? await Task.sleep(for: delay)
                continuation.yield(.backoffElapsed)
            }
            return false
        case .spawn:
            spawn(in: &group)
            return false
        }
    }

    private func spawn(in group: inout DiscardingTaskGroup) {
        let generation = status.withLock { status in
            status.generation += 1
            return status.generation
        }
        do {
            try prepare()
            let process = try ChildProcess.start(
                "mariadbd", ["--defaults-file=\(paths.myCnf)"],
                stderrPath: "\(paths.logDirectory)/mariadbd.out",
                environment: small ? ["MALLOC_ARENA_MAX": "1"] : [:]
            )
            status.withLock { $0.process = process }
            logger.info("mariadbd started", metadata: ["pid": "\(process.pid)"])
            group.addTask { [self] in
                guard let termination = try? await process.waitUnlessCancelled() else { return }
                status.withLock { $0.lastExit = termination.description }
                continuation.yield(.ended(generation: generation))
            }
        } catch {
            logger.error("cannot start mariadbd: \(error)")
            status.withLock { $0.lastExit = "could not start: \(error)" }
            continuation.yield(.ended(generation: generation))
            return
        }
        group.addTask { [self] in
            do {
                guard await ServerReadiness.waitForConnections(socket: paths.socket, threadPool: threadPool) else {
                    throw AgentError.internalFailure("mariadbd did not accept connections in time (see \(paths.errorLog))")
                }
                try await onReady()
                continuation.yield(.ready(generation: generation))
            } catch {
                logger.error("mariadbd started but is not usable; stopping it: \(error)")
                status.withLock { status in
                    if status.generation == generation { status.process?.send(SIGTERM) }
                }
            }
        }
    }

    /// SIGTERM now; SIGKILL if mariadbd is still there after 60 s.
    private func terminate(in group: inout DiscardingTaskGroup) {
        guard let process = status.withLock({ $0.process }) else {
            let generation = status.withLock { $0.generation }
            continuation.yield(.ended(generation: generation))
            return
        }
        process.send(SIGTERM)
        group.addTask {
            try? await Task.sleep(for: .seconds(60))
            process.send(SIGKILL)
        }
    }
}
