import MariaDB

/// Test data: a `shop.items` table, bulk loads, a steady writer and a checksum.
enum Fixtures {
    /// Creates `shop.items` if needed and inserts `rows` rows with ids 1...rows.
    static func load(rows: Int, into agent: TestAgent) async throws {
        let connection = try await agent.rootConnection()
        try await connection.execute("CREATE DATABASE IF NOT EXISTS shop")
        try await connection.execute(
            "CREATE TABLE IF NOT EXISTS shop.items (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, price DECIMAL(10,2) DEFAULT 0)")
        var next = 1
        while next <= rows {
            let last = min(next + 999, rows)
            try await connection.execute(
                "INSERT INTO shop.items (id, name, price) SELECT seq, CONCAT('item-', seq), seq / 100 FROM shop.seq_\(literal: next)_to_\(literal: last)")
            next = last + 1
        }
        await connection.close()
    }

    /// Inserts `count` rows one by one, ids from `first`, as fast as the master takes them.
    static func keepWriting(to agent: TestAgent, from first: Int, count: Int) async throws {
        let connection = try await agent.rootConnection()
        for id in first..<(first + count) {
            try await connection.execute("INSERT INTO shop.items (id, name) VALUES (\(literal: id), \(literal: "live-\(id)"))")
        }
        await connection.close()
    }

    /// Row count and an order-independent checksum of `shop.items`.
    struct Checksum: Equatable {
        let count: Int
        let sum: String
    }

    static func checksum(of agent: TestAgent) async throws -> Checksum {
        let row = try await agent.rootQuery(
            "SELECT COUNT(*) AS n, COALESCE(SUM(CRC32(CONCAT(id, ':', name, ':', price))), 0) AS s FROM shop.items").first
        return Checksum(count: row?.int("n") ?? -1, sum: row?["s"] ?? "")
    }
}
