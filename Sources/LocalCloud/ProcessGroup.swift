import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts a VM's process tree in a session of its own, signals it as a whole,
/// and tells whether any of it still lives.
///
/// Why `posix_spawn` with `POSIX_SPAWN_SETSID`: the child calls `setsid()`
/// between fork and exec, so it is the leader of a new session *and* process
/// group whose id is the pid `posix_spawn` returns. Everything it starts
/// (init.sh, the agent, mariadbd) stays in that group, so one `kill(-pgid, ...)`
/// reaches the whole tree, and having no controlling terminal and no group in
/// common with the manager, it outlives the manager (even a SIGKILLed one).
/// Foundation's `Process` cannot call `setsid`; `/usr/bin/setsid` as the
/// executable would work too, but would still leave inherited descriptors and
/// the spawning thread's signal mask to chance. Here the child gets an empty
/// signal mask, default dispositions (so SIGTERM works even if the manager
/// ignores or blocks it), `/dev/null` as stdin, the console as stdout and
/// stderr, and no other descriptor (a VM must not hold the manager's sockets).
///
/// `posix_spawn` does not wait for the child to run (only for its `exec`), so it
/// is safe off the thread pool; callers run it there anyway with the file work.
enum ProcessGroup {
    /// glibc's `POSIX_SPAWN_SETSID` (glibc 2.26+): spawn.h defines it only under
    /// `_GNU_SOURCE`, which Swift's Glibc module is not built with.
    private static let spawnSetSID: Int32 = 0x80

    /// Children this process spawned and has not reaped yet, whichever host
    /// spawned them: an unreaped leader is a zombie that keeps its group "alive".
    private static let unreaped = Mutex<Set<pid_t>>([])

    /// Starts `executable` with `arguments` and exactly `environment` as the leader
    /// of a new session; its stdout and stderr are appended to `outputPath` (0600).
    /// Answers the process group id (its pid).
    static func spawnSessionLeader(
        executable: String, arguments: [String], environment: [String: String], outputPath: String
    ) throws(LocalCloudError) -> pid_t {
        let output = open(outputPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw LocalCloudError("cannot open \(outputPath): \(String(cString: strerror(errno)))") }
        defer { close(output) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        closeDescriptorsAbove2(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }

        var pid = pid_t()
        let failure = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard failure == 0 else { throw LocalCloudError("cannot start \(executable): \(String(cString: strerror(failure)))") }
        unreaped.withLock { _ = $0.insert(pid) }
        return pid
    }

    /// Whether the process group `group` has a live process. Reaps this
    /// process's exited children first so that a zombie leader does not count.
    static func isAlive(_ group: pid_t) -> Bool {
        guard isForeign(group) else { return false }
        reapExitedChildren()
        return kill(-group, 0) == 0
    }

    /// Sends `signal` to every process of `group`.
    static func signal(_ group: pid_t, _ signal: Int32) {
        guard isForeign(group) else { return }
        kill(-group, signal)
    }

    /// Guards against signalling every process (`kill(-1)`), init's group or our own.
    private static func isForeign(_ group: pid_t) -> Bool {
        group > 1 && group != getpgrp()
    }

    private static func reapExitedChildren() {
        unreaped.withLock { children in
            for child in children {
                var status: Int32 = 0
                let result = waitpid(child, &status, WNOHANG)
                if result == child || (result < 0 && errno == ECHILD) { children.remove(child) }
            }
        }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Makes the child close every descriptor above stderr: glibc 2.34's
    /// `posix_spawn_file_actions_addclosefrom_np` (looked up at run time, as
    /// spawn.h hides it without `_GNU_SOURCE`), else one close per descriptor open now.
    private static func closeDescriptorsAbove2(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
            return
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let descriptor = Int32(name), descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
    }
}
