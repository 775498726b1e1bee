import Foundation
@testable import MariaDB
import Testing

@Suite("SQL built by construction")
struct SQLTests {
    @Test("Literals go through the escape function, identifiers are back-quoted, integers stay bare")
    func rendering() throws {
        let table = try SQLIdentifier("items")
        let name = "O'Brien"
        let sql: SQL = "SELECT * FROM \(table) WHERE name = \(literal: name) AND id = \(literal: 42)"
        #expect(sql.render { $0.replacingOccurrences(of: "'", with: "\\'") } == "SELECT * FROM `items` WHERE name = 'O\\'Brien' AND id = 42")
        #expect(sql.description == "SELECT * FROM `items` WHERE name = '?' AND id = 42")
    }

    @Test("Statements compose with their escaping intact")
    func composition() {
        let inner: SQL = "MASTER_USER = \(literal: "a'b")"
        let outer: SQL = "CHANGE MASTER TO \(inner), MASTER_PORT = \(literal: 3306)"
        #expect(outer.render { "<\($0)>" } == "CHANGE MASTER TO MASTER_USER = '<a'b>', MASTER_PORT = 3306")
    }

    @Test("Identifiers outside the safe set are refused")
    func identifiers() {
        for good in ["max_connections", "shop", "t$1", "_x"] {
            #expect(SQLIdentifier.isValid(good))
        }
        for bad in ["", "a b", "a`b", "x;DROP", "123", String(repeating: "a", count: 65), "é"] {
            #expect(!SQLIdentifier.isValid(bad))
            #expect(throws: MariaDBError.self) { try SQLIdentifier(bad) }
        }
    }
}
