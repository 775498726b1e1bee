import ArgumentParser
import Manager

/// Options of backups, the binlog archive and their remote copy.
struct BackupCommandOptions: ParsableArguments {
    @Option(help: "Directory of the backup store (default: STATE-DIR/backups). Backups outlive shutdown.")
    var backupDir: String?

    @Option(help: ArgumentHelp("Time between scheduled backups: 30m, 12h, 1d; 0 for none.", valueName: "interval"))
    var backupEvery = "24h"

    @Option(help: "COMPLETE backups kept; older ones are removed.")
    var backupKeep = 7

    @Option(help: ArgumentHelp("An rclone remote (NAME:PATH, from rclone's configuration) every backup and archived binlog is copied to.", valueName: "remote"))
    var backupRemote: String?

    @Option(help: ArgumentHelp("rclone's configuration file defining --backup-remote (default: rclone's own).", valueName: "file"))
    var backupRcloneConfig: String?

    @Flag(help: "Do not archive the master's binlogs (no point-in-time restore).")
    var noBinlogArchive = false

    /// `30s`, `30m`, `12h`, `1d` (or plain seconds); nil for `0`.
    static func interval(_ text: String) throws -> Duration? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let (digits, unit) = text.last.map { units[$0] != nil ? (String(text.dropLast()), units[$0]!) : (text, 1) } ?? ("", 1)
        guard let count = Int64(digits), count >= 0 else {
            throw ValidationError("--backup-every takes a number and a unit (s, m, h, d), not '\(text)'")
        }
        return count == 0 ? nil : .seconds(count * unit)
    }

    func validate() throws {
        _ = try Self.interval(backupEvery)
        guard backupKeep >= 1 else { throw ValidationError("--backup-keep must be at least 1") }
        if let backupRemote, !backupRemote.contains(":") || backupRemote.hasPrefix("-") {
            throw ValidationError("--backup-remote takes an rclone remote NAME:PATH, not '\(backupRemote)'")
        }
    }

    /// The options for a manager keeping its state in `stateDirectory`.
    func options(stateDirectory: String) throws -> BackupOptions {
        BackupOptions(
            directory: backupDir ?? "\(stateDirectory)/backups", every: try Self.interval(backupEvery), keep: backupKeep, remote: backupRemote,
            rcloneConfig: backupRcloneConfig, archiveBinlogs: !noBinlogArchive)
    }
}
