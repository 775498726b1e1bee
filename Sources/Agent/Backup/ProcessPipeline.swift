import Foundation
import NIOCore

/// MariaDB's tools chained by pipes (`mariadb-backup | zstd`, `zstd -d | mbstream -x`),
/// fed and read by the agent, each with its own error log. Blocking calls
/// (``write(_:)``, ``read()``, ``finish()``) run on the thread pool.
final class ProcessPipeline: @unchecked Sendable {
    /// One program of the chain.
    struct Step: Sendable {
        var name: String
        var arguments: [String]
        var environment: [String: String] = [:]
    }

    private let steps: [Step]
    private let processes: [Process]
    private let stderrPaths: [String]
    private let input: FileHandle?
    private let output: FileHandle?

    /// Starts the chain. With `feed`, the agent writes the first program's input;
    /// with `read`, it reads the last one's output (else both are /dev/null).
    init(_ steps: [Step], logDirectory: String, label: String, feed: Bool, read: Bool) throws {
        let logs = steps.indices.map { "\(logDirectory)/\(label)-\($0)-\(steps[$0].name).err" }
        let processes = try steps.indices.map { try ChildProcess.make(steps[$0].name, steps[$0].arguments, stderrPath: logs[$0], environment: steps[$0].environment) }
        self.steps = steps
        self.stderrPaths = logs
        self.processes = processes
        for index in processes.indices.dropFirst() {
            let pipe = Pipe()
            processes[index - 1].standardOutput = pipe
            processes[index].standardInput = pipe
        }
        let inputPipe = feed ? Pipe() : nil
        let outputPipe = read ? Pipe() : nil
        if let inputPipe { processes[0].standardInput = inputPipe }
        if let outputPipe { processes[processes.count - 1].standardOutput = outputPipe }
        input = inputPipe?.fileHandleForWriting
        output = outputPipe?.fileHandleForReading
        var started: [Process] = []
        do {
            for process in processes {
                try process.run()
                started.append(process)
            }
        } catch {
            started.forEach { $0.terminate() }
            throw AgentError.internalFailure("cannot start \(steps.map(\.name).joined(separator: " | ")): \(error)")
        }
    }

    /// Writes to the first program's input.
    func write(_ chunk: ByteBuffer) throws {
        try input?.write(contentsOf: Data(chunk.readableBytesView))
    }

    /// The next chunk of the last program's output, or nil at its end.
    func read() throws -> ByteBuffer? {
        guard let data = try output?.read(upToCount: 256 * 1024), !data.isEmpty else { return nil }
        return ByteBuffer(bytes: data)
    }

    /// Closes the input, waits for every program and throws naming the first
    /// that failed, with the end of its error output.
    func finish() throws {
        try? input?.close()
        for process in processes { process.waitUntilExit() }
        try? output?.close()
        for (index, process) in processes.enumerated() where process.terminationStatus != 0 || process.terminationReason != .exit {
            throw AgentError.commandFailed(steps[index].name, status: process.terminationStatus, detail: ChildProcess.tail(of: stderrPaths[index]))
        }
    }

    /// Stops every program still running (the transfer was abandoned). SIGKILL: the
    /// agent's threads block SIGTERM, and its children inherit that mask.
    func stop() {
        try? input?.close()
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The error output of the step at `index`, for results its tool prints there.
    func errorOutput(ofStep index: Int) -> String {
        (try? String(contentsOfFile: stderrPaths[index], encoding: .utf8)) ?? ""
    }
}
