import Glibc
import NIOPosix

extension Subprocess {
    /// Where a program run for its output writes its errors.
    public enum ErrorOutput: Sendable {
        /// To /dev/null.
        case discarded
        /// Into the output, interleaved as the program writes them.
        case withOutput
        /// Into this file.
        case file(BlockingFile)
    }

    /// Runs `path` with `arguments` and exactly `environment` to its end (stdin /dev/null) and
    /// answers how it ended and all it wrote to its standard output. The output is read on
    /// `threadPool` as it comes, so a talkative program never blocks on a full pipe; the end is
    /// awaited without holding a thread.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String], errors: ErrorOutput = .discarded,
        threadPool: NIOThreadPool = .singleton
    ) async throws -> (termination: Termination, output: [UInt8]) {
        let pipe = try BlockingFile.pipe()
        let stderr: BlockingFile? =
            switch errors {
            case .discarded: nil
            case .withOutput: pipe.write
            case .file(let file): file
            }
        let process = try Subprocess(path: path, arguments: arguments, environment: environment, stdout: pipe.write, stderr: stderr)
        let output: [UInt8]
        do {
            output = try await threadPool.runIfActive {
                var bytes: [UInt8] = []
                while case let chunk = try pipe.read.read(upTo: 64 * 1024), !chunk.isEmpty { bytes += chunk }
                return bytes
            }
        } catch {
            process.send(SIGKILL)
            _ = await process.wait()
            throw error
        }
        return (await process.wait(), output)
    }
}
