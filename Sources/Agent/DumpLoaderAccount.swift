import ConPaaSCore
import MariaDB

/// The account a user's dump is loaded with: created for one load and dropped
/// after it, with exactly the privileges of the accounts `configure_user` makes
/// (``AccountRules/userGrants(user:host:)``). So the server itself refuses what those
/// users could not do: `DROP USER 'root'@'localhost'`, `GRANT ... WITH GRANT OPTION`,
/// `SET GLOBAL`, a foreign `DEFINER`. The refused statement ends the load, and the
/// error names its line and MariaDB's reason.
///
/// The account lives on this node only (its changes stay out of the binlog) and
/// its password only in a 0600 option file that the load removes.
struct DumpLoaderAccount: Sendable {
    /// In the reserved prefix: users can neither see nor manage it.
    static let user = "\(AccountRules.reservedPrefix)dump_loader"

    let paths: AgentPaths
    private let password = RandomSecret.make(length: 32)

    init(paths: AgentPaths) {
        self.paths = paths
    }

    private var optionsPath: String { "\(paths.runDirectory)/dump-loader.cnf" }

    /// Creates (or recreates, after a crash mid-load) the account and its option file.
    func create(on database: LocalDatabase) async throws {
        try await database.withUnloggedConnection { connection in
            try await connection.execute("CREATE OR REPLACE USER \(literal: Self.user)@'localhost' IDENTIFIED BY \(literal: password)")
            for grant in AccountRules.userGrants(user: Self.user, host: "localhost") {
                try await connection.execute(grant)
            }
        }
        let options = """
            # A dump loader's one-load credentials. Keep this file 0600.
            [client]
            user = \(Self.user)
            password = \(password)
            socket = \(paths.socket)

            """
        try FileSystem.writeAtomically(options, to: optionsPath, privateFile: true)
    }

    /// Runs the `mariadb` client on the SQL file at `path` as this account.
    func load(_ path: String) async throws {
        try await ChildProcess.run(
            // --sandbox: a dump may not run the client's own commands (`\! cmd`, `system`, `source`).
            "mariadb", ["--defaults-extra-file=\(optionsPath)", "--batch", "--sandbox"],
            stderrPath: "\(paths.logDirectory)/dump-load.err", stdinPath: path)
    }

    /// Drops the account and removes its option file.
    func drop(on database: LocalDatabase) async throws {
        FileSystem.remove(optionsPath)
        try await database.withUnloggedConnection { connection in
            try await connection.execute("DROP USER IF EXISTS \(literal: Self.user)@'localhost'")
        }
    }
}
