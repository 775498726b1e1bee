import Glibc
import Hummingbird
import JSONRPC
import Logging
import NIOCore
import NIOPosix

/// The master's side of seeding: a consistent snapshot of every user database
/// and account, streamed from `mariadb-dump` straight into the HTTP response.
///
/// `--single-transaction --master-data=2 --gtid` takes the snapshot and its GTID
/// position together, while ``DDLFreeze`` keeps table definitions still; the
/// `mysql` schema is left out (each node keeps its own root account) and
/// accounts travel as `CREATE USER IF NOT EXISTS` statements. When `mariadb-dump`
/// fails, the stream's last line is ``SnapshotScanner/failureLine(_:)`` with its reason,
/// never the `-- Dump completed` line that marks a whole snapshot.
struct SnapshotSource: Sendable {
    let paths: AgentPaths
    let threadPool: NIOThreadPool
    let freeze: DDLFreeze
    let logger: Logger

    static let arguments = [
        "--single-transaction", "--master-data=2", "--gtid", "--all-databases", "--ignore-database=mysql",
        "--system=users", "--insert-ignore", "--routines", "--events", "--hex-blob",
    ]

    /// Answers a response that, as it is sent, blocks table DDL, runs the dump
    /// and streams it. A missing `mariadb-dump` is an error before any byte.
    func response() throws -> Response {
        _ = try ChildProcess.executable("mariadb-dump")
        let body = ResponseBody { writer in
            do {
                try await freeze.during { try await stream(to: &writer) }
            } catch {
                logger.error("snapshot stream aborted: \(error)")
                throw error
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/sql"], body: body)
    }

    private func stream(to writer: inout any ResponseBodyWriter) async throws {
        let dump = try RunningDump(paths: paths)
        var bytes = 0
        do {
            while let chunk = try await threadPool.runIfActive({ try dump.read() }) {
                bytes += chunk.readableBytes
                try await writer.write(chunk)
            }
            let status = await dump.wait()
            guard status == 0 else {
                // The status line went out long ago: the stream ends with the reason instead of
                // `-- Dump completed`. (Breaking the connection off instead races with this last
                // write, and the reason is lost.)
                let failure = AgentError.commandFailed("mariadb-dump", status: status, detail: ChildProcess.tail(of: dump.stderrPath))
                logger.error("snapshot failed", metadata: ["reason": "\(failure.message)"])
                try await writer.write(ByteBuffer(string: SnapshotScanner.failureLine(failure.message)))
                try await writer.finish(nil)
                return
            }
            try await writer.finish(nil)
            logger.info("snapshot sent", metadata: ["bytes": "\(bytes)"])
        } catch {
            await dump.stop()
            throw error
        }
    }
}

/// A `mariadb-dump` process and the read end of its output.
private final class RunningDump: @unchecked Sendable {
    let stderrPath: String
    private let process: Subprocess
    private let output: BlockingFile

    init(paths: AgentPaths) throws {
        stderrPath = "\(paths.logDirectory)/snapshot-dump.err"
        let pipe = try BlockingFile.pipe()
        output = pipe.read
        process = try ChildProcess.start(
            "mariadb-dump", ["--defaults-extra-file=\(paths.clientOptions)"] + SnapshotSource.arguments, stderrPath: stderrPath,
            stdout: pipe.write)
    }

    /// The next chunk of output, or nil at the end. Blocking: call on the thread pool.
    func read() throws -> ByteBuffer? {
        let bytes = try output.read(upTo: 256 * 1024)
        return bytes.isEmpty ? nil : ByteBuffer(bytes: bytes)
    }

    /// Waits for the exit status (without holding a thread).
    func wait() async -> Int32 {
        await process.wait().status
    }

    /// Kills the dump (its reader went away) and reaps it.
    func stop() async {
        output.close()
        process.send(SIGKILL)
        _ = await process.wait()
    }
}
