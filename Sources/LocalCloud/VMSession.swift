import Foundation
import JSONRPC
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts a VM's process tree in a session of its own, signals it as a whole,
/// and tells whether any of it still lives.
///
/// Why a session (``Subprocess/Grouping/session``): the child calls `setsid()`
/// between fork and exec, so it is the leader of a new session *and* process
/// group whose id is its pid. Everything it starts (init.sh, the agent, mariadbd)
/// stays in that session, though not always in that group: the agent starts
/// mariadbd in a process group of its own. So the VM is its session: signals go
/// to the leader's group and to every other process of the session (found in
/// /proc), and the VM lives while any of them does. Having no controlling
/// terminal and no group in common with the manager, it outlives the manager
/// (even a SIGKILLed one). A process that starts a session of its own leaves the
/// VM; nothing in a VM image does. The child has `/dev/null` as stdin, the
/// console as stdout and stderr, no other descriptor (a VM must not hold the
/// manager's sockets), an empty signal mask and default signal dispositions (so
/// SIGTERM works even if the manager ignores or blocks it).
///
/// `posix_spawn` does not wait for the child to run (only for its `exec`), so it
/// is safe off the thread pool; callers run it there anyway with the file work.
enum VMSession {
    /// Leaders this process spawned and has not reaped yet, whichever host
    /// spawned them: an unreaped leader is a zombie that keeps its group "alive".
    private static let unreaped = Mutex<[pid_t: Subprocess]>([:])

    /// Starts `executable` with `arguments` and exactly `environment` as the leader
    /// of a new session; its stdout and stderr are appended to `outputPath` (0600).
    /// Answers its pid: the session's (and its process group's) id.
    static func spawnLeader(
        executable: String, arguments: [String], environment: [String: String], outputPath: String
    ) throws(LocalCloudError) -> pid_t {
        let leader: Subprocess
        do {
            let output = try BlockingFile.appending(outputPath, permissions: 0o600)
            leader = try Subprocess(
                path: executable, arguments: arguments, environment: environment, stdout: output, stderr: output, grouping: .session)
        } catch {
            throw LocalCloudError("cannot start \(executable): \(error)")
        }
        unreaped.withLock { $0[leader.pid] = leader }
        return leader.pid
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
        unreaped.withLock { leaders in leaders = leaders.filter { $0.value.isRunning } }
    }
}
