import Foundation
import Logging
import Synchronization

/// The `mariadb-binlog --stop-never` process of the binlog archive. Its password
/// is in a 0600 option file, never on its command line; its pid is kept in a
/// file so that a manager restarted after a crash stops the one it left.
final class ArchiverProcess: Sendable {
    /// Holds its option file, log and pid file (`STORE/archiver`, never copied to the remote).
    let directory: String
    let logger: Logger
    private let running = Mutex<(pid: pid_t, segment: String)?>(nil)
    /// A server id no node of the service has, for the binlog dump connection.
    static let serverID = 4_294_000_000

    init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    private var pidPath: String { "\(directory)/archiver.pid" }

    /// Whether the process runs and writes into `segment`.
    func isArchiving(into segment: String) -> Bool {
        running.withLock { current in current.map { Self.isAlive($0.pid) && $0.segment == segment } ?? false }
    }

    func start(host: String, user: String, password: String, segment: String, firstFile: String) throws {
        let options = "\(directory)/archiver.cnf"
        let text = "[client]\nuser = \(user)\npassword = \(password)\nhost = \(host)\nport = 3306\n"
        guard FileManager.default.createFile(atPath: options, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw BackupStore.Failure(description: "cannot write \(options)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mariadb-binlog")
        process.arguments = [
            "--defaults-extra-file=\(options)", "--read-from-remote-server", "--raw", "--stop-never",
            "--stop-never-slave-server-id=\(Self.serverID)", "--result-file=\(segment)/", firstFile,
        ]
        let log = "\(directory)/archiver.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? "\(process.processIdentifier)".write(toFile: pidPath, atomically: true, encoding: .utf8)
        running.withLock { $0 = (process.processIdentifier, segment) }
    }

    /// Stops the process: SIGKILL (the manager's threads block SIGTERM and its children
    /// inherit that mask; a reader loses nothing: a restart rewrites its last file).
    func stop() async {
        guard let current = running.withLock({ value -> (pid: pid_t, segment: String)? in
            defer { value = nil }
            return value
        }) else { return }
        kill(current.pid, SIGKILL)
        for _ in 0..<100 where Self.isAlive(current.pid) { try? await Task.sleep(for: .milliseconds(20)) }
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    /// Whether `pid` runs (a zombie child is reaped and counts as ended).
    private static func isAlive(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let end = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: end)...].hasPrefix(" Z")
    }

    /// Stops an archiver a crashed manager left running.
    func stopLeftover() {
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: commandLine, as: UTF8.self).contains("--stop-never-slave-server-id=\(Self.serverID)") else { return }
        logger.warning("stopping the binlog archiver a previous manager left", metadata: ["pid": "\(pid)"])
        kill(pid, SIGKILL)
        try? FileManager.default.removeItem(atPath: pidPath)
    }
}
