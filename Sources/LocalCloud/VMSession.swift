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
/// (init.sh, the agent, mariadbd) stays in that session, though not always in
/// that group: Foundation's `Process`, which the agent starts mariadbd with,
/// puts each child in a process group of its own. So the VM is its session:
/// signals go to the leader's group and to every other process of the session
/// (found in /proc), and the VM lives while any of them does. Having no
/// controlling terminal and no group in common with the manager, it outlives
/// the manager (even a SIGKILLed one). A process that starts a session of its
/// own leaves the VM; nothing in a VM image does.
///
/// Foundation's `Process` cannot call `setsid`; `/usr/bin/setsid` as the
/// executable would work too, but would still leave inherited descriptors and
/// the spawning thread's signal mask to chance. Here the child gets an empty
/// signal mask, default dispositions (so SIGTERM works even if the manager
/// ignores or blocks it), `/dev/null` as stdin, the console as stdout and
/// stderr, and no other descriptor (a VM must not hold the manager's sockets).
///
/// `posix_spawn` does not wait for the child to run (only for its `exec`), so it
/// is safe off the thread pool; callers run it there anyway with the file work.
enum VMSession {
    /// glibc's `POSIX_SPAWN_SETSID` (glibc 2.26+): spawn.h defines it only under
    /// `_GNU_SOURCE`, which Swift's Glibc module is not built with.
    private static let spawnSetSID: Int32 = 0x80

    /// Children this process spawned and has not reaped yet, whichever host
    /// spawned them: an unreaped leader is a zombie that keeps its group "alive".
    private static let unreaped = Mutex<Set<pid_t>>([])

    /// Starts `executable` with `arguments` and exactly `environment` as the leader
    /// of a new session; its stdout and stderr are appended to `outputPath` (0600).
    /// Answers its pid: the session's (and its process group's) id.
    static func spawnLeader(
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

    /// Whether the session `session` has a live process (not a zombie): the
    /// leader's group is asked first, /proc is read only when it is empty.
    /// Reaps this process's exited children first so that a zombie leader does not count.
    static func isAlive(_ session: pid_t) -> Bool {
        guard isForeign(session) else { return false }
        reapExitedChildren()
        return kill(-session, 0) == 0 || !members(of: session).isEmpty
    }

    /// Sends `signal` to every process of `session`.
    static func signal(_ session: pid_t, _ signal: Int32) {
        guard isForeign(session) else { return }
        kill(-session, signal)
        for member in members(of: session) { kill(member, signal) }
    }

    /// Guards against signalling every process (`kill(-1)`), init's session or our own.
    private static func isForeign(_ session: pid_t) -> Bool {
        session > 1 && session != getsid(0) && session != getpgrp()
    }

    /// The live processes of `session`, from the session field of /proc/PID/stat.
    private static func members(of session: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let afterName = stat.range(of: ") ", options: .backwards)
            else { return nil }
            // After the name: state, ppid, pgrp, session, ...
            let fields = stat[afterName.upperBound...].split(separator: " ", maxSplits: 4)
            guard fields.count >= 4, fields[0] != "Z", pid_t(fields[3]) == session else { return nil }
            return pid
        }
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
