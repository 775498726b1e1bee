import MariaDB

/// Which account names users may manage, what they may do, and the names of replication accounts.
enum AccountRules {
    /// What `configure_user` grants (and user dumps load with): everything an application
    /// owner needs, but not what would let it write on a read-only replica (SUPER, READ_ONLY
    /// ADMIN) or touch other accounts, whose changes would replicate everywhere. Not CREATE
    /// USER or GRANT OPTION, and no data privilege on the `mysql` schema: `DROP USER`,
    /// `CREATE USER` and `SET PASSWORD` are also allowed with DELETE, INSERT or UPDATE there.
    /// Data privileges are granted on every database (`%`) instead of globally, and a
    /// harmless grant on `mysql` shadows that wildcard (MariaDB takes the most specific
    /// database grant that matches, not the union).
    static func userGrants(user: String, host: String) -> [SQL] {
        [
            "GRANT SHOW DATABASES, PROCESS, SLAVE MONITOR ON *.* TO \(literal: user)@\(literal: host)",
            """
            GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE TEMPORARY TABLES, \
            LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER \
            ON `%`.* TO \(literal: user)@\(literal: host)
            """,
            "GRANT SHOW VIEW ON mysql.* TO \(literal: user)@\(literal: host)",
        ]
    }

    /// Prefix of accounts the agents create for themselves.
    static let reservedPrefix = "conpaas_"
    /// Accounts a user may never change or drop.
    static let reservedNames: Set<String> = ["root", "mariadb.sys", "PUBLIC", "mysql"]
    /// MariaDB 10.11 limits user names to 128 characters.
    static let maxUserNameLength = 128

    /// Why `name` cannot be a user account, or nil when it can. Quotes and other
    /// punctuation are allowed: names are always sent as escaped literals.
    static func problem(withUserName name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.count > maxUserNameLength { return "longer than \(maxUserNameLength) characters" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains control characters" }
        if reservedNames.contains(name) || name.hasPrefix(reservedPrefix) { return "'\(name)' is reserved for the service" }
        return nil
    }

    /// Why `password` cannot be used, or nil when it can.
    static func problem(withPassword password: String) -> String? {
        if password.isEmpty { return "must not be empty" }
        if password.count > 256 { return "longer than 256 characters" }
        if password.unicodeScalars.contains(where: { $0.value == 0 }) { return "contains a NUL character" }
        return nil
    }

    /// Whether `host` is an IPv4/IPv6 address or a DNS name (no quotes, blanks or wildcards).
    static func isValidHost(_ host: String) -> Bool {
        guard (1...253).contains(host.count) else { return false }
        return host.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".:-".unicodeScalars.contains(scalar))
        }
    }

    /// The replication account a master keeps for the replica at `replicaHost`.
    static func replicationUser(forReplica replicaHost: String) -> String {
        let suffix = replicaHost.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return "\(reservedPrefix)repl_\(String(suffix))"
    }

    /// The host part of that account: the address the master will see the replica
    /// connect from. Linux gives every connection to a 127.x address the source
    /// 127.0.0.1, whichever 127.x address the replica itself listens on.
    static func replicationHost(forReplica replicaHost: String) -> String {
        replicaHost.hasPrefix("127.") ? "127.0.0.1" : replicaHost
    }
}
