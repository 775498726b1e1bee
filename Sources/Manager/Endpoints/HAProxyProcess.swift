import Foundation
import Logging
import NIOPosix

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
        let (status, output) = try await Self.run(try Self.executable(), ["-c", "-q", "-f", candidate])
        guard status == 0 else { throw Failure(description: "HAProxy refuses its configuration: \(output)") }
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
    var runningPID: pid_t? {
        guard let text = try? String(contentsOfFile: config.pidPath, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let commandLine = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        return String(decoding: commandLine.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(config.configPath) ? pid : nil
    }

    /// Starts HAProxy in the background; its messages go to `haproxy.log` beside the configuration.
    func start() async throws {
        let log = "\(config.directory)/haproxy.log"
        let (status, _) = try await Self.run(try Self.executable(), ["-W", "-D", "-f", config.configPath], logPath: log)
        let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(separator: " | ")
        guard status == 0 else { throw Failure(description: "HAProxy did not start (exit \(status)): \(tail)") }
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

    /// Runs a tool to its end, its output appended to `logPath` (default: a scratch file);
    /// answers its status and, without `logPath`, its output. posix_spawn and a blocking
    /// waitpid for that one child, on the thread pool: Foundation's Process never saw the
    /// exit of `haproxy -D` in the manager (it stayed a zombie).
    private static func run(_ tool: String, _ arguments: [String], logPath: String? = nil) async throws -> (Int32, String) {
        let output = logPath ?? NSTemporaryDirectory() + "conpaassql-haproxy-\(UUID().uuidString).out"
        defer { if logPath == nil { try? FileManager.default.removeItem(atPath: output) } }
        let status = try await NIOThreadPool.singleton.runIfActive { () throws -> Int32 in
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            // Nothing else of the manager's (its listening socket above all) may stay open in HAProxy,
            // which outlives it: glibc's closefrom action, looked up as LocalCloud's VMSession does.
            guard let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
                throw Failure(description: "this C library cannot close descriptors in a spawned process (glibc 2.34 or later needed)")
            }
            _ = unsafeBitCast(closeFrom, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32).self)(&actions, 3)
            let argv = ([tool] + arguments).map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
            guard spawned == 0 else { throw Failure(description: "cannot run \(tool): \(String(cString: strerror(spawned)))") }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        let text = logPath == nil ? ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "") : ""
        return (status, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
