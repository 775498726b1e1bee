import Foundation
import NIOPosix

/// Starts MariaDB's programs and waits for them without blocking Swift's cooperative pool.
///
/// Secrets never go on a command line: client tools read them from the 0600
/// option file named by `--defaults-extra-file`.
enum ChildProcess {
    /// Context variables that hold secrets: never passed on to MariaDB's programs.
    private static let secretVariables: Set<String> = ["SERVICE_SECRET", "ONE_PASSWORD", "MANAGER_TOKEN"]

    /// Where MariaDB's programs may live beside `PATH` (mariadbd is in /usr/sbin).
    private static let extraSearchPath = ["/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"]

    /// The full path of `name`, or an error naming the package to install.
    static func executable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        for directory in path + extraSearchPath where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw AgentError.internalFailure("\(name) not found in PATH (install Debian's mariadb-server and mariadb-client)")
    }

    /// A configured, not yet started process whose stderr goes to `stderrPath`.
    static func make(_ name: String, _ arguments: [String], stderrPath: String, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable(name))
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !secretVariables.contains($0.key) }
        env.merge(environment) { _, new in new }
        process.environment = env
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// Starts `process` and waits for it to exit; answers its exit status.
    static func runToEnd(_ process: Process) async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: AgentError.internalFailure("cannot start \(process.executableURL?.path ?? "?"): \(error)"))
            }
        }
    }

    /// Runs `name` to the end, throwing with the tail of its error output when it fails.
    static func run(_ name: String, _ arguments: [String], stderrPath: String, stdinPath: String? = nil) async throws {
        let process = try make(name, arguments, stderrPath: stderrPath)
        if let stdinPath {
            guard let input = FileHandle(forReadingAtPath: stdinPath) else {
                throw AgentError.internalFailure("cannot read \(stdinPath)")
            }
            process.standardInput = input
        }
        let status = try await runToEnd(process)
        guard status == 0 else {
            throw AgentError.commandFailed(name, status: status, detail: tail(of: stderrPath))
        }
    }

    /// The last lines of a log file, for error messages.
    static func tail(of path: String, lines: Int = 3) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
