/// Backups, the binlog archive and their remote copy (`--backup-*`).
public struct BackupOptions: Sendable {
    /// The store's directory (default: `STATE/backups`).
    public var directory: String
    /// A backup every this long (nil: none scheduled).
    public var every: Duration?
    /// COMPLETE backups kept; older ones are removed.
    public var keep: Int
    /// An rclone remote (`name:path`) that every backup and archived binlog is copied to.
    public var remote: String?
    /// rclone's configuration file defining the remote (default: rclone's own).
    public var rcloneConfig: String?
    /// Archive the master's binlogs continuously (point-in-time restore).
    public var archiveBinlogs: Bool

    public init(
        directory: String, every: Duration? = .seconds(86_400), keep: Int = 7, remote: String? = nil, rcloneConfig: String? = nil,
        archiveBinlogs: Bool = true
    ) {
        self.rcloneConfig = rcloneConfig
        self.directory = directory
        self.every = every
        self.keep = keep
        self.remote = remote
        self.archiveBinlogs = archiveBinlogs
    }
}
