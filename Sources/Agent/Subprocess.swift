import Dispatch
import Glibc
import JSONRPC
import Synchronization

/// How a child process ended.
struct Termination: Sendable, Equatable, CustomStringConvertible {
    /// The exit status, or the number of the signal that killed the process.
    let status: Int32
    /// Whether a signal killed it.
    let signaled: Bool

    /// Decodes what `waitpid` stored.
    init(waitStatus: Int32) {
        let signal = waitStatus & 0x7F
        signaled = signal != 0 && signal != 0x7F
        status = signaled ? signal : (waitStatus >> 8) & 0xFF
    }

    /// Exit status 0.
    var succeeded: Bool { !signaled && status == 0 }

    var description: String { signaled ? "killed by signal \(status)" : "exit status \(status)" }
}

/// A child process started with `posix_spawn` as Foundation's `Process` started
/// them (in its own process group, with no descriptor but its standard three,
/// with the agent's signal mask), without loading Foundation into the agent.
///
/// Its end is found by polling `waitpid` (every millisecond at first, backing
/// off to every 50 ms), which also reaps it.
final class Subprocess: Sendable {
    let pid: pid_t
    private let ended = Mutex<Termination?>(nil)

    /// Starts `path` with `arguments` (without the program name) and exactly
    /// `environment`. `stdin`, `stdout` and `stderr` are the child's (nil: /dev/null);
    /// they are closed in the agent once the child has them.
    init(
        path: String, arguments: [String], environment: [String: String],
        stdin: BlockingFile? = nil, stdout: BlockingFile? = nil, stderr: BlockingFile? = nil
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
        closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

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
    var termination: Termination? {
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

    var isRunning: Bool { termination == nil }

    /// Sends `signal` unless the process has already been reaped (its pid may be another's by then).
    func send(_ signal: Int32) {
        ended.withLock { ended in
            if ended == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits for the end without holding a thread, whatever becomes of the task.
    func wait() async -> Termination {
        var pause = 1
        while true {
            if let termination { return termination }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(pause)) { continuation.resume() }
            }
            pause = min(pause * 2, 50)
        }
    }

    /// Waits for the end without holding a thread; throws `CancellationError` if the task is cancelled first.
    func waitUnlessCancelled() async throws -> Termination {
        var pause = 1
        while true {
            if let termination { return termination }
            try await Task.sleep(for: .milliseconds(pause))
            pause = min(pause * 2, 50)
        }
    }

    /// Waits for the end, holding the thread: call on a thread pool.
    func waitBlocking() -> Termination {
        var pause: UInt32 = 1000
        while true {
            if let termination { return termination }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }
}
