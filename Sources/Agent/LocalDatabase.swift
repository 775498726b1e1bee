import ConPaaSCore
import Logging
import MariaDB
import NIOPosix

/// Root connections to the agent's own mariadbd, over its Unix socket.
struct LocalDatabase: Sendable {
    let paths: AgentPaths
    let threadPool: NIOThreadPool
    let logger: Logger

    let credentials: RootCredentials

    init(paths: AgentPaths, threadPool: NIOThreadPool, logger: Logger) {
        self.paths = paths
        self.threadPool = threadPool
        self.logger = logger
        self.credentials = RootCredentials(paths: paths)
    }

    /// A fresh root connection that the caller keeps and closes.
    func openConnection() async throws -> MariaDBConnection {
        guard let password = credentials.password() else { throw AgentError.serverNotRunning }
        return try await connect(password: password)
    }

    /// Runs `body` on a fresh root connection, closed afterwards.
    @discardableResult
    func withConnection<T: Sendable>(_ body: (MariaDBConnection) async throws -> T) async throws -> T {
        let connection = try await openConnection()
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Like ``withConnection(_:)`` with `sql_log_bin = 0`, for changes that must
    /// not enter this node's binlog (local set-up, work on a replica).
    @discardableResult
    func withUnloggedConnection<T: Sendable>(_ body: (MariaDBConnection) async throws -> T) async throws -> T {
        try await withConnection { connection in
            try await connection.execute("SET SESSION sql_log_bin = 0")
            return try await body(connection)
        }
    }

    /// On first start: remove anonymous and remote root accounts and give root
    /// a random password. Safe to repeat after an interruption at any point.
    func secureRootIfNeeded() async throws {
        guard credentials.password() == nil else { return }
        let password = try credentials.pendingPassword() ?? credentials.choosePendingPassword()
        var connection: MariaDBConnection?
        for candidate in ["", password] where connection == nil {
            connection = try? await connect(password: candidate)
        }
        guard let connection else {
            throw AgentError.internalFailure("cannot log in as root to secure a new server (see \(paths.errorLog))")
        }
        do {
            try await secure(on: connection, password: password)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }

    private func secure(on connection: MariaDBConnection, password: String) async throws {
        try await connection.execute("SET SESSION sql_log_bin = 0")
        let extra = try await connection.query(
            "SELECT User, Host FROM mysql.user WHERE is_role = 'N' AND (User = '' OR (User = 'root' AND Host <> 'localhost'))")
        for account in extra {
            try await connection.execute("DROP USER \(literal: account["User"] ?? "")@\(literal: account["Host"] ?? "")")
        }
        try await connection.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY \(literal: password)")
        try credentials.commitPendingPassword()
        logger.info("secured root account of the new server", metadata: ["removed.accounts": "\(extra.count)"])
    }

    /// Runs `body`, which loads accounts from elsewhere (a master's snapshot
    /// carries the master's root password), then puts this node's root password
    /// back, through a temporary local account that the snapshot cannot touch.
    func restoringRootPassword<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let rootPassword = credentials.password() else { throw AgentError.serverNotRunning }
        let rescuePassword = RandomSecret.make(length: 32)
        try await withUnloggedConnection { connection in
            try await connection.execute("CREATE OR REPLACE USER 'conpaas_rescue'@'localhost' IDENTIFIED BY \(literal: rescuePassword)")
            try await connection.execute("GRANT ALL PRIVILEGES ON *.* TO 'conpaas_rescue'@'localhost' WITH GRANT OPTION")
        }
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body())
        } catch {
            outcome = .failure(error)
        }
        let rescue = try await connect(password: rescuePassword, user: "conpaas_rescue")
        do {
            try await rescue.execute("SET SESSION sql_log_bin = 0")
            try await rescue.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY \(literal: rootPassword)")
            try await rescue.execute("DROP USER 'conpaas_rescue'@'localhost'")
            await rescue.close()
        } catch {
            await rescue.close()
            throw error
        }
        return try outcome.get()
    }

    private func connect(password: String, user: String = "root") async throws -> MariaDBConnection {
        try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .unixSocket(path: paths.socket), user: user, password: password),
            threadPool: threadPool
        )
    }
}
