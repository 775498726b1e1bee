import Dispatch
import Glibc
import Synchronization

/// How a child process ended.
public struct Termination: Sendable, Equatable, CustomStringConvertible {
    /// The exit status, or the number of the signal that killed the process.
    public let status: Int32
    /// Whether a signal killed it.
    public let signaled: Bool

    /// Decodes what `waitpid` stored.
    public init(waitStatus: Int32) {
        let signal = waitStatus & 0x7F
        signaled = signal != 0 && signal != 0x7F
        status = signaled ? signal : (waitStatus >> 8) & 0xFF
    }

    /// Exit status 0.
    public var succeeded: Bool { !signaled && status == 0 }

    public var description: String { signaled ? "killed by signal \(status)" : "exit status \(status)" }
}

/// A child process started with `posix_spawn`, as Foundation's `Process` starts
/// them but without loading Foundation: no descriptor but its standard three (a
/// child must not hold its parent's sockets), an empty signal mask and default
/// signal dispositions whatever the parent blocks or ignores, and in a process
/// group of its own, or a session of its own (``Grouping``).
///
/// Its end is found by polling `waitpid` (every millisecond at first, backing
/// off to every 50 ms), which also reaps it.
public final class Subprocess: Sendable {
    /// Where the child stands apart from its parent.
    public enum Grouping: Sendable {
        /// A process group of its own (signals to the parent's group miss it).
        case processGroup
        /// The leader of a new session and process group whose id is its pid
        /// (`setsid()` between fork and exec), with no controlling terminal: it
        /// and everything it starts outlive the parent, even a SIGKILLed one.
        case session
    }

    /// The child's pid (for ``Grouping/session``, also its session's id).
    public let pid: pid_t
    private let ended = Mutex<Termination?>(nil)

    /// glibc's `POSIX_SPAWN_SETSID` (glibc 2.26+): spawn.h defines it only under
    /// `_GNU_SOURCE`, which Swift's Glibc module is not built with.
    private static let spawnSetSID: Int32 = 0x80

    /// Starts `path` with `arguments` (without the program name) and exactly
    /// `environment`. `stdin`, `stdout` and `stderr` are the child's (nil: /dev/null;
    /// one file may serve as both outputs); they are closed here once the child has them.
    public init(
        path: String, arguments: [String], environment: [String: String],
        stdin: BlockingFile? = nil, stdout: BlockingFile? = nil, stderr: BlockingFile? = nil,
        grouping: Grouping = .processGroup
    ) throws(FileError) {
        defer { [stdin, stdout, stderr].forEach { $0?.close() } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, file) in [(STDIN_FILENO, stdin), (STDOUT_FILENO, stdout), (STDERR_FILENO, stderr)] {
            if let file {
                posix_spawn_file_actions_adddup2(&actions, file.descriptor, target)
            } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            }
        }
        guard let closeFrom = Self.addCloseFrom else { throw FileError("posix_spawn_file_actions_addclosefrom_np (glibc 2.34)", nil, code: ENOSYS) }
        _ = closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        let grouped = grouping == .session ? Self.spawnSetSID : Int32(POSIX_SPAWN_SETPGROUP)
        posix_spawnattr_setflags(&attributes, Int16(grouped | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let failure = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard failure == 0 else { throw FileError("cannot start", path, code: failure) }
        self.pid = pid
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module does not declare.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self) }

    /// How the process ended, or nil while it runs (reaps it when it has ended).
    public var termination: Termination? {
        ended.withLock { ended in
            guard ended == nil else { return ended }
            var status: Int32 = 0
            switch waitpid(pid, &status, WNOHANG) {
            case 0: return nil
            case pid: ended = Termination(waitStatus: status)
            default: ended = Termination(waitStatus: 0x7F00)  // reaped elsewhere, status unknown: "exit status 127"
            }
            return ended
        }
    }

    /// Whether the process has not ended yet.
    public var isRunning: Bool { termination == nil }

    /// Sends `signal` unless the process has already been reaped (its pid may be another's by then).
    public func send(_ signal: Int32) {
        ended.withLock { ended in
            if ended == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits for the end without holding a thread, whatever becomes of the task.
    public func wait() async -> Termination {
        await poll { pause in
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(pause)) { continuation.resume() }
            }
        }
    }

    /// Waits for the end without holding a thread; throws `CancellationError` if the task is cancelled first.
    public func waitUnlessCancelled() async throws -> Termination {
        try await poll { pause in try await Task.sleep(for: .milliseconds(pause)) }
    }

    /// Checks for the end every millisecond at first, backing off to every 50 ms, pausing through `pauseFor`.
    private func poll(_ pauseFor: (Int) async throws -> Void) async rethrows -> Termination {
        var pause = 1
        while true {
            if let termination { return termination }
            try await pauseFor(pause)
            pause = min(pause * 2, 50)
        }
    }
}
