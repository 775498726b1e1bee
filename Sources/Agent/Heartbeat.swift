import MariaDB

/// The heartbeat row that measures replication lag: the master writes its
/// `server_id` and `NOW(6)` into `conpaas_heartbeat.beat` every second, and a
/// replica's lag is its own clock minus the newest beat it has applied.
///
/// The table is created when a node takes the master role, before any replica
/// can be seeded: a table created while a replica's snapshot is being dumped
/// breaks the dump (error 1412, "Table definition has changed").
enum Heartbeat {
    /// Creates the database and table if they do not exist.
    static func createTable(on connection: MariaDBConnection) async throws {
        try await connection.execute("CREATE DATABASE IF NOT EXISTS conpaas_heartbeat")
        try await connection.execute(
            "CREATE TABLE IF NOT EXISTS conpaas_heartbeat.beat (server_id INT UNSIGNED PRIMARY KEY, ts DATETIME(6) NOT NULL)")
    }

    /// The master's beat; recreates the table if somebody dropped it. A
    /// read-only server (a fenced or restarted master) writes nothing: root could
    /// write through `read_only`, and its beat would be a transaction no other node has.
    static func beat(on connection: MariaDBConnection) async throws {
        let statement: SQL = """
            REPLACE INTO conpaas_heartbeat.beat (server_id, ts) SELECT @@server_id, NOW(6) FROM DUAL WHERE @@GLOBAL.read_only = 0
            """
        do {
            try await connection.execute(statement)
        } catch let error as MariaDBError where isMissingTable(error) {
            try await createTable(on: connection)
            try await connection.execute(statement)
        }
    }

    /// Seconds since the newest applied beat, or nil before the first one arrived.
    static func lag(on connection: MariaDBConnection) async throws -> Double? {
        do {
            let rows = try await connection.query(
                "SELECT TIMESTAMPDIFF(MICROSECOND, MAX(ts), NOW(6)) / 1000000 AS lag FROM conpaas_heartbeat.beat")
            return rows.first?["lag"].flatMap(Double.init)
        } catch let error as MariaDBError where isMissingTable(error) {
            return nil
        }
    }

    /// ER_NO_SUCH_TABLE or ER_BAD_DB_ERROR.
    private static func isMissingTable(_ error: MariaDBError) -> Bool {
        error.serverErrorNumber == 1146 || error.serverErrorNumber == 1049
    }
}
