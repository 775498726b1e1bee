import MariaDB

extension AgentNode {
    /// Creates the account `username@'%'`, or sets its password if it exists.
    /// On a replica the change stays out of the binlog (the master's copy arrives by replication).
    func configureUser(username: String, password: String) async throws {
        try await change {
            try await withAdminConnection { connection in
                try await connection.execute("CREATE USER IF NOT EXISTS \(literal: username)@'%' IDENTIFIED BY \(literal: password)")
                try await connection.execute("ALTER USER \(literal: username)@'%' IDENTIFIED BY \(literal: password)")
                // Whatever an older agent granted goes first.
                try await connection.execute("REVOKE ALL PRIVILEGES, GRANT OPTION FROM \(literal: username)@'%'")
                for grant in AccountRules.userGrants(user: username, host: "%") {
                    try await connection.execute(grant)
                }
            }
        }
        logger.info("configured user account", metadata: ["user": "\(username)"])
    }

    /// Drops the account `username@'%'`; answers whether it existed.
    func deleteUser(username: String) async throws -> Bool {
        let existed = try await change {
            try await withAdminConnection { connection in
                let found = try await connection.query("SELECT 1 FROM mysql.user WHERE User = \(literal: username) AND Host = '%'")
                try await connection.execute("DROP USER IF EXISTS \(literal: username)@'%'")
                return !found.isEmpty
            }
        }
        logger.info("deleted user account", metadata: ["user": "\(username)", "existed": "\(existed)"])
        return existed
    }

    /// The accounts users manage (service accounts left out), sorted.
    func listUsers() async throws -> [(username: String, location: String)] {
        guard supervisor.agentState == .running else { throw AgentError.serverNotRunning }
        let rows = try await database.withConnection { connection in
            try await connection.query("SELECT User, Host FROM mysql.user WHERE is_role = 'N' ORDER BY User, Host")
        }
        return rows.compactMap { row in
            guard let user = row["User"], let host = row["Host"], AccountRules.problem(withUserName: user) == nil else { return nil }
            return (user, host)
        }
    }

    /// Changes a whitelisted server variable now and in my.cnf for later starts.
    func setServerVariable(name: String, value: ServerSettings.Value) async throws {
        let identifier = try SQLIdentifier(name)
        try await change {
            try await database.withConnection { connection in
                switch value {
                case .integer(let number): try await connection.execute("SET GLOBAL \(identifier) = \(literal: number)")
                case .onOff(let on): try await connection.execute("SET GLOBAL \(identifier) = \(literal: on ? "ON" : "OFF")")
                }
            }
            try store.update { $0.overrides[name] = value.configText }
        }
        logger.info("changed server variable", metadata: ["variable": "\(name)", "value": "\(value.configText)"])
    }

    /// Loads a SQL file with the `mariadb` client, as ``DumpLoaderAccount``: a dump has
    /// no more power than the users the service makes, so only the writable master takes
    /// it (checked under the lock: a node that becomes a replica meanwhile refuses too).
    func loadDump(path: String) async throws {
        try await change {
            switch role {
            case .master: break
            case .slave: throw AgentError.wrongRole("this node is a read-only replica; load dumps on the master")
            case .none: throw AgentError.wrongRole("this node is not a master yet (it is read-only); load dumps on the master")
            }
            let loader = DumpLoaderAccount(paths: paths)
            try await loader.create(on: database)
            do {
                try await loader.load(path)
                try await loader.drop(on: database)
            } catch {
                try? await loader.drop(on: database)
                throw error
            }
        }
        logger.info("loaded a dump", metadata: ["bytes": "\(FileSystem.size(path))"])
    }

    /// Admin changes on a replica must not enter its binlog.
    private func withAdminConnection<T: Sendable>(_ body: (MariaDBConnection) async throws -> T) async throws -> T {
        role == .slave ? try await database.withUnloggedConnection(body) : try await database.withConnection(body)
    }
}
