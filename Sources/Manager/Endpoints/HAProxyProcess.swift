import Foundation
import JSONRPC
import Logging

/// The HAProxy process of one service: master-worker mode, daemonized so that it
/// outlives a manager restart; found again through its pid file.
struct HAProxyProcess: Sendable {
    let config: HAProxyConfig
    let logger: Logger

    /// A failure to configure or start HAProxy, with its own output.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Writes the configuration if it changed, checked with `haproxy -c` first; a
    /// running HAProxy then reloads it (the only time it is reloaded), and this
    /// returns once the reload is through: meanwhile the master re-executes itself
    /// and rewrites its pid file, both empty for a moment, and a tick that took
    /// HAProxy for dead then would start a second one.
    func prepare() async throws {
        try FileManager.default.createDirectory(atPath: config.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = config.render()
        guard (try? String(contentsOfFile: config.configPath, encoding: .utf8)) != text else { return }
        let candidate = "\(config.configPath).new"
        try text.write(toFile: candidate, atomically: true, encoding: .utf8)
        let (check, output) = try await Subprocess.run(
            try Self.executable(), ["-c", "-q", "-f", candidate], environment: ProcessInfo.processInfo.environment, errors: .withOutput)
        guard check.succeeded else {
            throw Failure(description: "HAProxy refuses its configuration: \(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        guard rename(candidate, config.configPath) == 0 else {
            throw Failure(description: "cannot write \(config.configPath): \(String(cString: strerror(errno)))")
        }
        if let pid = runningPID {
            let before = pidFileWritten
            kill(pid, SIGUSR2)
            logger.notice("HAProxy reloads its new configuration", metadata: ["pid": "\(pid)"])
            for _ in 0..<200 where pidFileWritten == before || runningPID == nil {
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// When the pid file was last written (HAProxy writes it at each start and reload), to the nanosecond.
    private var pidFileWritten: [Int]? {
        var info = stat()
        return stat(config.pidPath, &info) == 0 ? [info.st_mtim.tv_sec, info.st_mtim.tv_nsec] : nil
    }

    /// The master process's pid, when it runs with this configuration.
    var runningPID: pid_t? { PidFile.process(at: config.pidPath, commandLineContaining: config.configPath) }

    /// Starts HAProxy in the background; its messages go to `haproxy.log` beside the configuration.
    func start() async throws {
        let log = "\(config.directory)/haproxy.log"
        // Its output goes to a file, not a pipe: the daemon it forks may keep what it was given.
        let termination: Termination
        do {
            let file = try BlockingFile.appending(log, permissions: 0o600)
            termination = try await Subprocess(
                path: try Self.executable(), arguments: ["-W", "-D", "-f", config.configPath],
                environment: ProcessInfo.processInfo.environment, stdout: file, stderr: file
            ).wait()
        } catch {
            throw Failure(description: "cannot run haproxy: \(error)")
        }
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " | ")
        guard termination.succeeded else { throw Failure(description: "HAProxy did not start (\(termination)): \(tail)") }
        logger.notice("HAProxy started", metadata: ["pid": "\(runningPID.map(String.init) ?? "?")"])
    }

    /// Stops HAProxy (the service was shut down).
    func stop() async {
        guard let pid = runningPID else { return }
        kill(pid, SIGTERM)
        for _ in 0..<40 where runningPID != nil { try? await Task.sleep(for: .milliseconds(50)) }
        logger.notice("HAProxy stopped", metadata: ["pid": "\(pid)"])
    }

    /// Debian installs haproxy in /usr/sbin, which is not on every user's PATH.
    private static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/haproxy" } + ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "haproxy is not installed (apt-get install haproxy), or run with --no-endpoints")
        }
        return found
    }
}
