import Foundation
import MariaDB
import TestSupport
import Testing

/// A private mariadbd for these tests: its own directory, socket and loopback address.
private final class PrivateServer: Sendable {
    let directory: String
    private let process: Process

    var socket: String { "\(directory)/s.sock" }

    init(address: String) async throws {
        directory = "/tmp/cq-m\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: "\(directory)/tmp", withIntermediateDirectories: true)
        let root = getuid() == 0 ? ["--user=root"] : []
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/usr/bin/mariadb-install-db")
        install.arguments = ["--no-defaults", "--datadir=\(directory)/data", "--auth-root-authentication-method=normal", "--skip-test-db", "--tmpdir=\(directory)/tmp"] + root
        install.standardOutput = FileHandle.nullDevice
        install.standardError = FileHandle.nullDevice
        _ = try await install.runUntilExit()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mariadbd")
        process.arguments = ["--no-defaults", "--datadir=\(directory)/data", "--socket=\(directory)/s.sock", "--bind-address=\(address)",
                             "--port=3306", "--tmpdir=\(directory)/tmp", "--log-error=\(directory)/error.log",
                             "--character-set-server=utf8mb4", "--innodb-buffer-pool-size=8M"] + root
        try process.run()
        // Ready when a login over the socket gets an answer (the socket file alone is not enough).
        for _ in 0..<200 {
            if let probe = try? await MariaDBConnection.connect(
                MariaDBConfiguration(endpoint: .unixSocket(path: "\(directory)/s.sock"), user: "root", password: ""), threadPool: testThreadPool) {
                await probe.close()
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() async {
        process.terminate()
        await process.waitForExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("MariaDBConnection against a real mariadbd", .serialized)
struct LiveConnectionTests {
    @Test("Hostile strings round-trip as literals; NULLs, errors and closing behave")
    func everything() async throws {
        let server = try await PrivateServer(address: "127.0.19.1")
        do {
            try await exercise(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    private func exercise(_ server: PrivateServer) async throws {
        let connection = try await MariaDBConnection.connect(
            MariaDBConfiguration(endpoint: .unixSocket(path: server.socket), user: "root", password: ""), threadPool: testThreadPool)

        for hostile in ["'; DROP DATABASE mysql; --", "back\\slash", "quote\"s", "nul\u{0}byte", "ünïcødé 🐬", "\n\r\t", ""] {
            let row = try await connection.query("SELECT \(literal: hostile) AS v, LENGTH(\(literal: hostile)) AS n").first
            #expect(row?["v"] == hostile)
            #expect(row?.int("n") == hostile.utf8.count)
        }
        #expect(try await connection.query("SELECT COUNT(*) AS n FROM mysql.db WHERE 1 = 1").count == 1)

        let nulls = try await connection.query("SELECT NULL AS a, 7 AS b").first
        #expect(nulls?.values == [nil, "7"])
        #expect(nulls?.columns == ["a", "b"])

        try await connection.execute("CREATE DATABASE t1")
        try await connection.execute("CREATE TABLE t1.x (id INT PRIMARY KEY)")
        #expect(try await connection.execute("INSERT INTO t1.x VALUES (1), (2), (3)") == 3)
        #expect(try await connection.query("SELECT id FROM t1.x WHERE id > 5").isEmpty)

        let syntax = await #expect(throws: MariaDBError.self) { try await connection.execute("SELEKT 1") }
        #expect(syntax?.code == .queryFailed)
        #expect(syntax?.serverErrorNumber == 1064)
        #expect(syntax?.sqlState == "42000")

        let denied = await #expect(throws: MariaDBError.self) {
            try await MariaDBConnection.connect(MariaDBConfiguration(endpoint: .tcp(host: "127.0.19.1", port: 3306), user: "nobody", password: "x"), threadPool: testThreadPool)
        }
        #expect(denied?.code == .connectionFailed)
        #expect(denied?.serverErrorNumber == 1045)

        await connection.close()
        let closed = await #expect(throws: MariaDBError.self) { try await connection.query("SELECT 1") }
        #expect(closed?.code == .connectionClosed)
    }
}
