import FoundationEssentials
import JSONRPC

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

    /// Starts `name` with its stderr in `stderrPath` (emptied first), the agent's
    /// environment without its secrets plus `environment`, and stdin and stdout as
    /// given (nil: /dev/null; the agent's copies are closed).
    static func start(
        _ name: String, _ arguments: [String], stderrPath: String, environment: [String: String] = [:],
        stdin: BlockingFile? = nil, stdout: BlockingFile? = nil
    ) throws -> Subprocess {
        let path = try executable(name)
        var env = ProcessInfo.processInfo.environment.filter { !secretVariables.contains($0.key) }
        env.merge(environment) { _, new in new }
        do {
            return try Subprocess(
                path: path, arguments: arguments, environment: env, stdin: stdin, stdout: stdout, stderr: BlockingFile.writing(stderrPath))
        } catch {
            stdin?.close()
            stdout?.close()
            throw AgentError.internalFailure("cannot start \(path): \(error)")
        }
    }

    /// Runs `name` to the end, throwing with the tail of its error output when it fails.
    static func run(_ name: String, _ arguments: [String], stderrPath: String, stdinPath: String? = nil) async throws {
        let input: BlockingFile?
        do {
            input = try stdinPath.map(BlockingFile.reading)
        } catch {
            throw AgentError.internalFailure("cannot read \(stdinPath ?? ""): \(error)")
        }
        let process = try start(name, arguments, stderrPath: stderrPath, stdin: input)
        let termination = await process.wait()
        guard termination.succeeded else {
            throw AgentError.commandFailed(name, status: termination.status, detail: tail(of: stderrPath))
        }
    }

    /// The last lines of a log file, for error messages.
    static func tail(of path: String, lines: Int = 3) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
