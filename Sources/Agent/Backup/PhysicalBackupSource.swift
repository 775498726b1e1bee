import Hummingbird
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Where a physical backup stands in the server's history: its binlog point and GTID position.
struct BackupPosition: Sendable, Equatable {
    var gtid: String
    var binlogFile: String
    var binlogPosition: Int

    /// Reads the line `mariadb-backup --backup` prints once the copy is consistent:
    /// `MySQL binlog position: filename 'F', position 'P', GTID of the last change 'G'`.
    static func parse(backupLog text: String) -> BackupPosition? {
        guard let line = text.split(separator: "\n").last(where: { $0.contains("MySQL binlog position:") }) else { return nil }
        let quoted = line.split(separator: "'", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        guard quoted.count >= 3, let position = Int(quoted[1]) else { return nil }
        return BackupPosition(gtid: quoted[2], binlogFile: quoted[0], binlogPosition: position)
    }

    /// Reads `xtrabackup_binlog_info` of a prepared copy: `file<TAB>position<TAB>gtid`.
    static func parse(binlogInfo text: String) -> BackupPosition? {
        let fields = text.split(whereSeparator: { $0 == "\t" || $0 == "\n" }).map(String.init)
        guard fields.count >= 2, let position = Int(fields[1]) else { return nil }
        return BackupPosition(gtid: fields.count > 2 ? fields[2] : "", binlogFile: fields[0], binlogPosition: position)
    }
}

/// A node's side of physical backups and seeding: `mariadb-backup --backup
/// --stream=xbstream` of the running server, optionally through `zstd`, straight
/// into the HTTP response (nothing is copied to the node's disk). Table DDL is
/// blocked only during mariadb-backup's short final stage.
///
/// The position of each backup is kept under the caller's token for
/// `backup_result`, since it is known only once the stream has ended.
final class PhysicalBackupSource: Sendable {
    let paths: AgentPaths
    let threadPool: NIOThreadPool
    let logger: Logger
    private let results = Mutex<[String: Result<BackupPosition, AgentError>]>([:])

    init(paths: AgentPaths, threadPool: NIOThreadPool, logger: Logger) {
        self.paths = paths
        self.threadPool = threadPool
        self.logger = logger
    }

    /// The position of the finished backup streamed under `token`.
    func result(token: String) throws -> BackupPosition {
        guard let result = results.withLock({ $0[token] }) else {
            throw AgentError.invalidInput("no finished backup has the token \(token)")
        }
        return try result.get()
    }

    /// A response streaming a new backup; `compressed` sends it through `zstd`.
    func response(token: String, compressed: Bool) throws -> Response {
        _ = try ChildProcess.executable("mariadb-backup")
        let body = ResponseBody { [self] writer in
            let outcome: Result<BackupPosition, AgentError>
            do {
                outcome = .success(try await stream(to: &writer, compressed: compressed, token: token))
            } catch {
                outcome = .failure(error as? AgentError ?? AgentError.internalFailure("\(error)"))
                logger.error("backup stream aborted: \(error)")
            }
            results.withLock { $0[token] = outcome }
            _ = try outcome.get()
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
    }

    private func stream(to writer: inout any ResponseBodyWriter, compressed: Bool, token: String) async throws -> BackupPosition {
        let workDirectory = "\(paths.tmpDirectory)/backup-\(token)"
        await FileSystem.remove(on: threadPool, workDirectory)
        var steps = [ProcessPipeline.Step(name: "mariadb-backup", arguments: [
            "--defaults-extra-file=\(paths.clientOptions)", "--backup", "--stream=xbstream", "--datadir=\(paths.dataDirectory)",
            "--target-dir=\(workDirectory)", "--tmpdir=\(paths.tmpDirectory)",
        ])]
        if compressed { steps.append(.init(name: "zstd", arguments: ["-1", "-q", "-c"])) }
        let pipeline = try await ProcessPipeline(steps, logDirectory: paths.logDirectory, label: "backup", feed: false, read: true)
        var bytes = 0
        do {
            while let chunk = try await threadPool.runIfActive({ try pipeline.read() }) {
                bytes += chunk.readableBytes
                try await writer.write(chunk)
            }
            try await pipeline.finish()
        } catch {
            await pipeline.stop()
            await FileSystem.remove(on: threadPool, workDirectory)
            throw error
        }
        await FileSystem.remove(on: threadPool, workDirectory)
        guard let position = BackupPosition.parse(backupLog: pipeline.errorOutput(ofStep: 0)) else {
            throw AgentError.internalFailure("mariadb-backup did not report the backup's binlog position")
        }
        try await writer.finish(nil)
        logger.info("backup streamed", metadata: ["bytes": "\(bytes)", "gtid": "\(position.gtid)"])
        return position
    }
}
