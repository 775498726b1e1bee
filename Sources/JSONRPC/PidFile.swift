import FoundationEssentials
import Glibc

/// A process found again through the pid file it (or its starter) wrote: a mariadbd
/// an earlier agent left, HAProxy or the binlog archiver an earlier manager left.
/// A pid may be another program's by now, so its command line must say whose it is.
public enum PidFile {
    /// The live process named by the pid file at `path` whose command line holds
    /// `marker` (say, its configuration file); nil when there is none.
    public static func process(at path: String, commandLineContaining marker: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingWhitespace()), pid > 1, isAlive(pid),
              let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: commandLine.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self).contains(marker)
        else { return nil }
        return pid
    }

    /// Whether `pid` runs and is not a zombie (nobody may reap an orphan in a container).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].drop(while: { $0 == " " }).first
        return state != "Z" && state != "X"
    }
}
