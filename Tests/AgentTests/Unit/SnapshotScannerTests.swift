@testable import Agent
import Testing

@Suite("Snapshot stream scanning")
struct SnapshotScannerTests {
    private let dump = """
        -- MariaDB dump 10.19
        -- CHANGE MASTER TO MASTER_USE_GTID=slave_pos;
        INSERT INTO t VALUES (1,'-- SET GLOBAL gtid_slave_pos=\\'9-9-9\\';');
        -- SET GLOBAL gtid_slave_pos='0-263-10006';
        -- Dump completed on 2026-11-22  0:16:47

        """

    @Test("Finds the GTID position and the end, whatever the chunking")
    func chunking() {
        for size in [1, 3, 17, 4096] {
            var scanner = SnapshotScanner()
            let bytes = Array(dump.utf8)
            stride(from: 0, to: bytes.count, by: size).forEach { scanner.feed(bytes[$0..<min($0 + size, bytes.count)]) }
            scanner.finish()
            #expect(scanner.gtidPosition == "0-263-10006")
            #expect(scanner.isComplete)
            #expect(scanner.byteCount == Int64(bytes.count))
        }
    }

    @Test("A cut stream is not complete")
    func cut() {
        var scanner = SnapshotScanner()
        scanner.feed(Array(dump.utf8).prefix(60))
        scanner.finish()
        #expect(!scanner.isComplete)
        #expect(scanner.gtidPosition == nil)
    }

    @Test("Long lines cost no memory and do not confuse the scanner")
    func longLines() {
        var scanner = SnapshotScanner()
        scanner.feed(Array(repeating: UInt8(ascii: "x"), count: 1_000_000) + Array("\n-- Dump completed\n".utf8))
        #expect(scanner.isComplete)
    }

    @Test("The master's failure line is read only as the last line")
    func masterFailure() {
        var scanner = SnapshotScanner()
        scanner.feed(Array(("INSERT INTO t VALUES (1,'half" + SnapshotScanner.failureLine("mariadb-dump failed (exit 2):\nView 'd.v' (1356)")).utf8))
        scanner.finish()
        #expect(scanner.masterFailure == "mariadb-dump failed (exit 2): View 'd.v' (1356)")
        scanner.feed(Array("-- Dump completed\n".utf8))
        #expect(scanner.masterFailure == nil)
        #expect(scanner.isComplete)
    }
}
