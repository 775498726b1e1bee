import FoundationEssentials
import Glibc
import JSONRPC
import NIOCore

/// MariaDB's tools chained by pipes (`mariadb-backup | zstd`, `zstd -d | mbstream -x`),
/// fed and read by the agent, each with its own error log. Blocking calls
/// (``write(_:)``, ``read()``) run on the thread pool; ``finish()`` waits without
/// holding a thread (a binlog replay runs for as long as it has events).
final class ProcessPipeline: @unchecked Sendable {
    /// One program of the chain.
    struct Step: Sendable {
        var name: String
        var arguments: [String]
        var environment: [String: String] = [:]
    }

    private let steps: [Step]
    private let processes: [Subprocess]
    private let stderrPaths: [String]
    private let input: BlockingFile?
    private let output: BlockingFile?

    /// Starts the chain. With `feed`, the agent writes the first program's input;
    /// with `read`, it reads the last one's output (else both are /dev/null).
    init(_ steps: [Step], logDirectory: String, label: String, feed: Bool, read: Bool) async throws {
        self.steps = steps
        stderrPaths = steps.indices.map { "\(logDirectory)/\(label)-\($0)-\(steps[$0].name).err" }
        let inputPipe = feed ? try BlockingFile.pipe() : nil
        let outputPipe = read ? try BlockingFile.pipe() : nil
        input = inputPipe?.write
        output = outputPipe?.read
        var started: [Subprocess] = []
        var stdin = inputPipe?.read
        do {
            for (index, step) in steps.enumerated() {
                let link = index == steps.count - 1 ? nil : try BlockingFile.pipe()
                let stdout = link?.write ?? outputPipe?.write
                started.append(try ChildProcess.start(
                    step.name, step.arguments, stderrPath: stderrPaths[index], environment: step.environment, stdin: stdin, stdout: stdout))
                stdin = link?.read
            }
        } catch {
            stdin?.close()
            outputPipe?.write.close()
            for process in started {
                process.send(SIGKILL)
                _ = await process.wait()
            }
            throw AgentError.internalFailure("cannot start \(steps.map(\.name).joined(separator: " | ")): \(error)")
        }
        processes = started
    }

    /// Writes to the first program's input.
    func write(_ chunk: ByteBuffer) throws {
        guard let input else { return }
        try chunk.withUnsafeReadableBytes { try input.write($0) }
    }

    /// The next chunk of the last program's output, or nil at its end.
    func read() throws -> ByteBuffer? {
        guard let bytes = try output?.read(upTo: 256 * 1024), !bytes.isEmpty else { return nil }
        return ByteBuffer(bytes: bytes)
    }

    /// Closes the input, waits for every program and throws naming the first
    /// that failed, with the end of its error output.
    func finish() async throws {
        input?.close()
        var ends: [Termination] = []
        for process in processes { ends.append(await process.wait()) }
        output?.close()
        for (index, end) in ends.enumerated() where !end.succeeded {
            throw AgentError.commandFailed(steps[index].name, status: end.status, detail: ChildProcess.tail(of: stderrPaths[index]))
        }
    }

    /// Stops every program still running (the transfer was abandoned) and reaps them.
    /// SIGKILL: nothing an abandoned transfer left half-written is worth a graceful end.
    func stop() async {
        input?.close()
        output?.close()
        for process in processes {
            process.send(SIGKILL)
            _ = await process.wait()
        }
    }

    /// The error output of the step at `index`, for results its tool prints there.
    func errorOutput(ofStep index: Int) -> String {
        (try? String(contentsOfFile: stderrPaths[index], encoding: .utf8)) ?? ""
    }
}
