/// The layout of an agent's directory.
///
/// ```
/// DIR/my.cnf            rendered server configuration
/// DIR/data/             the datadir (mariadb-install-db)
/// DIR/run/mysqld.sock   socket and pid file
/// DIR/log/error.log     mariadbd's error log
/// DIR/tmp/              mariadbd's tmpdir (never the shared /tmp: concurrent
///                       mariadb-install-db runs collide there)
/// DIR/client.cnf        0600 option file with the root password, for client tools
/// DIR/agent-state.json  role and settings that survive restarts
/// DIR/uploads/          streamed uploads, removed after use
/// DIR/run/reset-root.sql  one-time init_file after a physical copy (0600)
/// ```
struct AgentPaths: Sendable, Equatable {
    let root: String

    init(root: String) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
    }

    var myCnf: String { "\(root)/my.cnf" }
    var dataDirectory: String { "\(root)/data" }
    var runDirectory: String { "\(root)/run" }
    var socket: String { "\(runDirectory)/mysqld.sock" }
    var pidFile: String { "\(runDirectory)/mysqld.pid" }
    var logDirectory: String { "\(root)/log" }
    var tmpDirectory: String { "\(root)/tmp" }
    var errorLog: String { "\(logDirectory)/error.log" }
    var clientOptions: String { "\(root)/client.cnf" }
    var pendingClientOptions: String { "\(root)/client.cnf.pending" }
    var state: String { "\(root)/agent-state.json" }
    var uploads: String { "\(root)/uploads" }
    /// One-time `init_file` putting this node's root password back after a physical copy.
    var rootReset: String { "\(runDirectory)/reset-root.sql" }

    /// Whether mariadb-install-db has already run here.
    var isInitialized: Bool { FileSystem.exists("\(dataDirectory)/mysql") }
}
