import Foundation
import Logging
import Synchronization

/// The `mariadb-binlog --stop-never` process of the binlog archive. Its password
/// is in a 0600 option file, never on its command line; its pid is kept in a
/// file so that a manager restarted after a crash stops the one it left.
final class ArchiverProcess: Sendable {
    /// Holds its option file, log and pid file (`STORE/archive`).
    let directory: String
    let logger: Logger
    private let running = Mutex<(process: Process, segment: String)?>(nil)
    /// A server id no node of the service has, for the binlog dump connection.
    static let serverID = 4_294_000_000

    init(directory: String, logger: Logger) {
        self.directory = directory
        self.logger = logger
    }

    private var pidPath: String { "\(directory)/archiver.pid" }

    /// Whether the process runs and writes into `segment`.
    func isArchiving(into segment: String) -> Bool {
        running.withLock { current in current.map { $0.process.isRunning && $0.segment == segment } ?? false }
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
        running.withLock { $0 = (process, segment) }
    }

    func stop() {
        guard let current = running.withLock({ value -> (process: Process, segment: String)? in
            defer { value = nil }
            return value
        }) else { return }
        if current.process.isRunning {
            current.process.terminate()
            current.process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    /// Stops an archiver a crashed manager left running.
    func stopLeftover() {
        guard let text = try? String(contentsOfFile: pidPath, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
              String(decoding: commandLine, as: UTF8.self).contains("--stop-never-slave-server-id=\(Self.serverID)") else { return }
        logger.warning("stopping the binlog archiver a previous manager left", metadata: ["pid": "\(pid)"])
        kill(pid, SIGTERM)
        try? FileManager.default.removeItem(atPath: pidPath)
    }
}
