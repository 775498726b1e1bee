import Foundation
import JSONRPC
import Logging

/// Copies the backup store to an rclone remote (`--backup-remote NAME:PATH`, the
/// remote defined in rclone's own configuration: S3, Swift, SFTP and the rest),
/// so backups survive the loss of the manager's disk: each COMPLETE backup once
/// finished, the binlog archive every ``archiveInterval``.
struct RemoteCopy: Sendable {
    let remote: String
    /// rclone's configuration file, when not its default one.
    let configFile: String?
    let store: BackupStore
    let logger: Logger
    static let archiveInterval: Duration = .seconds(30)

    /// Copies backup `id`'s directory to `REMOTE/backups/ID`.
    func copyBackup(_ id: Int64) async {
        await copy(store.backupDirectory(id), to: "\(remote)/backups/\(id)", what: "backup \(id)")
    }

    /// Copies what is new in the binlog archive to `REMOTE/archive`.
    func copyArchive() async {
        let local = "\(store.directory)/archive"
        guard FileManager.default.fileExists(atPath: local) else { return }
        await copy(local, to: "\(remote)/archive", what: "the binlog archive")
    }

    private func copy(_ local: String, to target: String, what: String) async {
        do {
            let config = configFile.map { ["--config", $0] } ?? []
            let (status, output) = try await Self.rclone(config + ["copy", "--no-traverse", local, target])
            if status == 0 {
                logger.info("copied \(what) to the remote", metadata: ["remote": "\(target)"])
            } else {
                logger.error("copying \(what) to the remote failed (rclone exit \(status)): \(output)")
            }
        } catch {
            logger.error("copying \(what) to the remote failed: \(error)")
        }
    }

    /// Runs rclone to its end; answers its status and the end of its output.
    private static func rclone(_ arguments: [String]) async throws -> (Int32, String) {
        let (termination, output) = try await Subprocess.run(
            "/usr/bin/rclone", arguments, environment: ProcessInfo.processInfo.environment, errors: .withOutput)
        let text = String(decoding: output, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " | ")
        return (termination.signaled ? 128 + termination.status : termination.status, text)
    }
}
