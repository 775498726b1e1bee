/// The `[mysqld]` settings of one agent's MariaDB, rendered as `my.cnf`.
///
/// Every server runs with a unique `server_id`, the binary log in ROW format,
/// `log_slave_updates` and `gtid_strict_mode`, so any replica could later be
/// promoted with a complete binlog. Every server starts read-only, a restarted
/// former master included: only the manager, carrying the service's epoch,
/// makes a node writable (`set_up_replica_master`). Semi-synchronous
/// replication waits `AFTER_SYNC`; replicas acknowledge from their first
/// connection and notice a silent master within `slave_net_timeout`.
struct ServerOptions: Sendable, Equatable {
    var paths: AgentPaths
    var bindAddress: String
    var port: Int
    var serverID: UInt32
    var small: Bool
    /// Whitelisted settings changed with `set_server_configuration`, by name.
    var overrides: [String: String]
    /// mariadbd refuses to run as root unless told `user=root`.
    var runAsRoot: Bool
    /// Statements run once at start (after a physical copy), if any.
    var initFile: String? = nil

    /// The options of `../shared/MARIADB.md` that halve an idle server's memory.
    static let smallFootprint: [(String, String)] = [
        ("innodb_buffer_pool_size", "8M"), ("innodb_log_file_size", "8M"), ("innodb_log_buffer_size", "2M"),
        ("performance_schema", "OFF"), ("key_buffer_size", "64K"), ("aria_pagecache_buffer_size", "1M"),
        ("query_cache_size", "0"), ("max_connections", "30"), ("table_open_cache", "64"),
        ("thread_cache_size", "4"), ("innodb_read_io_threads", "1"), ("innodb_write_io_threads", "2"),
        ("innodb_purge_threads", "1"),
    ]

    /// The file's text.
    func render() -> String {
        var lines = [
            "# Written by conpaassql-agent; changes are overwritten at the next start.",
            "[mysqld]",
        ]
        if runAsRoot { lines.append("user = root") }
        var settings: [(String, String)] = [
            ("datadir", paths.dataDirectory),
            ("socket", paths.socket),
            ("pid_file", paths.pidFile),
            ("log_error", paths.errorLog),
            ("tmpdir", paths.tmpDirectory),
            ("bind_address", bindAddress),
            ("port", String(port)),
            ("server_id", String(serverID)),
            ("report_host", bindAddress),
            ("log_bin", "mysql-bin"),
            ("relay_log", "relay-bin"),
            ("binlog_format", "ROW"),
            ("log_slave_updates", "ON"),
            ("gtid_strict_mode", "ON"),
            ("skip_name_resolve", "ON"),
            ("character_set_server", "utf8mb4"),
            ("collation_server", "utf8mb4_general_ci"),
            ("read_only", "ON"),
            ("rpl_semi_sync_slave_enabled", "ON"),
            ("rpl_semi_sync_master_wait_point", "AFTER_SYNC"),
            ("rpl_semi_sync_master_timeout", "5000"),
            ("slave_net_timeout", "3"),
        ]
        if small { settings += Self.smallFootprint }
        if let initFile { settings.append(("init_file", initFile)) }
        let known = Set(settings.map(\.0))
        for (key, value) in settings {
            lines.append("\(key) = \(overrides[key] ?? value)")
        }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
            lines.append("\(key) = \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
