import AsyncHTTPClient
import JSONRPC
import Logging
import NIOCore
import NIOPosix

/// The replica's side of seeding: fetches the master agent's snapshot and pipes
/// it into the local `mariadb` client as it arrives, with `sql_log_bin = 0` so
/// the seed does not enter the replica's own binlog.
struct SnapshotLoader: Sendable {
    let paths: AgentPaths
    let threadPool: NIOThreadPool
    let secret: String
    let logger: Logger

    /// Loads the snapshot from the agent at `masterAgentURL`; answers its GTID position.
    func load(from masterAgentURL: String) async throws -> String {
        let response = try await PeerHTTPClient.fetch("\(masterAgentURL)/snapshot", secret: secret, what: "a snapshot", timeout: .seconds(30))
        let client = try LoadingClient(paths: paths)
        var scanner = SnapshotScanner()
        do {
            for try await chunk in response.body {
                chunk.withUnsafeReadableBytes { scanner.feed($0) }
                try await threadPool.runIfActive { try client.write(chunk) }
            }
        } catch {
            let status = await client.finish()
            if let reason = scanner.masterFailure { throw Self.masterFailed(masterAgentURL, reason) }
            throw AgentError.replicationFailed(
                "seeding stopped after \(scanner.byteCount) bytes: \(status == 0 ? "\(error)" : ChildProcess.tail(of: client.stderrPath))")
        }
        scanner.finish()
        let status = await client.finish()
        if let reason = scanner.masterFailure { throw Self.masterFailed(masterAgentURL, reason) }
        guard status == 0 else {
            throw AgentError.commandFailed("mariadb (loading the snapshot)", status: status, detail: ChildProcess.tail(of: client.stderrPath))
        }
        guard scanner.isComplete, let gtid = scanner.gtidPosition else {
            throw AgentError.replicationFailed("the snapshot from \(masterAgentURL) was cut short after \(scanner.byteCount) bytes")
        }
        logger.info("snapshot loaded", metadata: ["bytes": "\(scanner.byteCount)", "gtid": "\(gtid)"])
        return gtid
    }

    private static func masterFailed(_ masterAgentURL: String, _ reason: String) -> AgentError {
        AgentError.replicationFailed("the master agent at \(masterAgentURL) could not take the snapshot: \(reason)")
    }
}

/// A `mariadb` client reading SQL from a pipe.
private final class LoadingClient: @unchecked Sendable {
    let stderrPath: String
    private let process: Subprocess
    private let input: BlockingFile

    init(paths: AgentPaths) throws {
        stderrPath = "\(paths.logDirectory)/snapshot-load.err"
        let pipe = try BlockingFile.pipe()
        input = pipe.write
        process = try ChildProcess.start(
            "mariadb",
            ["--defaults-extra-file=\(paths.clientOptions)", "--init-command=SET SESSION sql_log_bin = 0", "--binary-mode", "--batch", "--sandbox"],
            stderrPath: stderrPath, stdin: pipe.read)
    }

    /// Blocking: call on the thread pool.
    func write(_ chunk: ByteBuffer) throws {
        try chunk.withUnsafeReadableBytes { try input.write($0) }
    }

    /// Closes the input and waits for the exit status (without holding a thread).
    func finish() async -> Int32 {
        input.close()
        return await process.wait().status
    }
}
