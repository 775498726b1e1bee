import Foundation
import JSONRPC

/// A finished run of a client program: its exit status and what it printed.
struct ClientRun: CustomStringConvertible {
    let status: Int32
    let stdout: String
    let stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

    /// stdout parsed as JSON.
    func json() throws -> JSONValue {
        try JSONValue(parsing: Array(stdout.utf8))
    }

    /// stdout's lines, without empty ones.
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the clients under test (`scripts/run-manager-client`, `conpaassql`) as
/// separate processes, as an operator would, with stdout and stderr in files
/// (not pipes, so nothing blocks however much they print).
enum ClientProcess {
    /// `scripts/run-manager-client ARGS`.
    static func managerClient(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> ClientRun {
        try await run("\(TestManager.repository)/scripts/run-manager-client", arguments, stdin: stdin, environment: environment)
    }

    /// The `conpaassql` executable built beside the tests.
    static func conpaassql(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> ClientRun {
        try await run("\(TestManager.binaries)/conpaassql", arguments, stdin: stdin, environment: environment)
    }

    /// Runs `executable` to its end (killed after `timeout`); the CONPAASSQL_* variables of
    /// the test's own environment are left out, `environment` is added.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
                    timeout: Duration = .seconds(300)) async throws -> ClientRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("client-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let paths = ["in", "out", "err"].map { scratch.appendingPathComponent($0) }
        try Data((stdin ?? "").utf8).write(to: paths[0])
        for path in paths.dropFirst() { try Data().write(to: path) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONPAASSQL_") }.merging(environment) { $1 }
        process.standardInput = stdin == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: paths[0])
        process.standardOutput = try FileHandle(forWritingTo: paths[1])
        process.standardError = try FileHandle(forWritingTo: paths[2])
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { process.terminate() }
            try await Task.sleep(for: .milliseconds(50))
        }
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return ClientRun(status: process.terminationStatus, stdout: read(paths[1]), stderr: read(paths[2]))
    }
}
