import FoundationEssentials
import Glibc
import JSONRPC

/// A mariadbd that an earlier life of this agent started and left running: the
/// agent was killed (its mariadbd is not killed with it), and the VM's init
/// started a new one on the same data directory. It holds the port, the socket
/// and the data directory's lock, so the new agent stops it before its own start;
/// InnoDB's crash recovery makes that as safe as the crash it follows.
enum LeftoverServer {
    /// SIGKILLs the mariadbd named by `pidFile` when it is alive and was started
    /// with `myCnf`, and waits (up to 30 s) until it is gone; answers its pid, or
    /// nil when there was none. Blocking: run it on the thread pool.
    static func stop(pidFile: String, myCnf: String) -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = Int32(text.trimmingWhitespace()), pid > 1,
              isAlive(pid), commandLine(of: pid).contains("--defaults-file=\(myCnf)")
        else { return nil }
        kill(pid, SIGKILL)
        for _ in 0..<300 where isAlive(pid) {
            usleep(100_000)
        }
        return pid
    }

    /// Running, not a zombie (nobody may reap an orphan in a container).
    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].drop(while: { $0 == " " }).first
        return state != "Z" && state != "X"
    }

    private static func commandLine(of pid: Int32) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
