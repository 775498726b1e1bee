import Foundation
import JSONRPC
import Logging
import Synchronization

/// The `mariadb-binlog --stop-never` process of the binlog archive. Its password
/// is in a 0600 option file, never on its command line; its pid is kept in a
/// file so that a manager restarted after a crash stops the one it left.
final class ArchiverProcess: Sendable {
    /// Holds its option file, log and pid file (`STORE/archiver`, never copied to the remote).
    let directory: String
    let logger: Logger
    private let running = Mutex<(process: Subprocess, segment: String)?>(nil)
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
        let log = "\(directory)/archiver.log"
        let process: Subprocess
        do {
            process = try Subprocess(
                path: "/usr/bin/mariadb-binlog",
                arguments: [
                    "--defaults-extra-file=\(options)", "--read-from-remote-server", "--raw", "--stop-never",
                    "--stop-never-slave-server-id=\(Self.serverID)", "--result-file=\(segment)/", firstFile,
                ],
                environment: ProcessInfo.processInfo.environment, stderr: BlockingFile.writing(log, permissions: 0o600))
        } catch {
            throw BackupStore.Failure(description: "cannot start mariadb-binlog: \(error)")
        }
        try? "\(process.pid)".write(toFile: pidPath, atomically: true, encoding: .utf8)
        running.withLock { $0 = (process, segment) }
    }

    /// Stops the process with SIGKILL (a reader loses nothing: a restart rewrites its last file) and reaps it.
    func stop() async {
        guard let current = running.withLock({ value -> (process: Subprocess, segment: String)? in
            defer { value = nil }
            return value
        }) else { return }
        current.process.send(SIGKILL)
        _ = await current.process.wait()
        try? FileManager.default.removeItem(atPath: pidPath)
    }

    /// Stops an archiver a crashed manager left running.
    func stopLeftover() {
        guard let pid = PidFile.process(at: pidPath, commandLineContaining: "--stop-never-slave-server-id=\(Self.serverID)") else { return }
        logger.warning("stopping the binlog archiver a previous manager left", metadata: ["pid": "\(pid)"])
        kill(pid, SIGKILL)
        try? FileManager.default.removeItem(atPath: pidPath)
    }
}
