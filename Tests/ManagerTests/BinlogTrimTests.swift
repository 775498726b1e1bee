import ConPaaSCore
import Foundation
import JSONRPC
import Testing
@testable import Manager

/// Which part of an archived binlog a replay needs, on binlogs built byte by byte.
@Suite("Binlog trim")
struct BinlogTrimTests {
    /// One event: the common header (type, length) and `body`.
    private func event(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(BinlogTrim.headerLength + body.count)
        return [0, 0, 0, 0, type, 1, 0, 0, 0] + bytes(UInt64(length), 4) + [0, 0, 0, 0, 0, 0] + body
    }

    private func bytes(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A transaction: its GTID event and a query event of `size` bytes.
    private func transaction(domain: UInt32 = 0, _ sequence: UInt64, size: Int = 40) -> [UInt8] {
        event(BinlogTrim.gtidEvent, bytes(sequence, 8) + bytes(UInt64(domain), 4) + [0]) + event(2, [UInt8](repeating: 7, count: size))
    }

    /// Magic number, format description and GTID list events.
    private var header: [UInt8] { BinlogTrim.magic + event(15, [UInt8](repeating: 1, count: 90)) + event(163, [0, 0, 0, 0]) }

    private func scan(_ file: [UInt8], after text: String) -> BinlogTrim? {
        BinlogTrim.scan(size: file.count, after: GTIDPosition(text)!) { offset, count in Array(file[offset..<min(offset + count, file.count)]) }
    }

    @Test("The header events and the transactions from the first one the position does not hold")
    func cutAfterPosition() {
        let first = transaction(1), second = transaction(2), third = transaction(3)
        let file = header + first + second + third
        #expect(scan(file, after: "0-1-2") == BinlogTrim(headerEnd: header.count, start: header.count + first.count + second.count))
        #expect(scan(file, after: "0-1-3") == BinlogTrim(headerEnd: header.count, start: file.count), "a file the position holds entirely: its header only")
        #expect(scan(file, after: "")?.isWholeFile == true)
        #expect(scan(file, after: "1-1-9")?.isWholeFile == true, "another domain's position holds none of domain 0")
    }

    @Test("With several domains the cut is the first transaction of any domain the position does not hold")
    func domains() {
        let a = transaction(domain: 0, 5), b = transaction(domain: 1, 1), c = transaction(domain: 0, 6)
        let file = header + a + b + c
        #expect(scan(file, after: "0-1-6")?.start == header.count + a.count)
        #expect(scan(file, after: "0-1-5,1-1-1")?.start == header.count + a.count + b.count)
    }

    @Test("Not a binlog: no trim; a truncated last event is served as it is")
    func oddFiles() {
        #expect(scan(Array("hello, world".utf8), after: "0-1-1") == nil)
        let truncated = header + transaction(1) + transaction(2).prefix(25)
        #expect(scan(truncated, after: "0-1-9") == BinlogTrim(headerEnd: header.count, start: header.count + transaction(1).count))
        #expect(scan(header, after: "0-1-1")?.isWholeFile == true)
    }

    @Test("A file on disk with events larger than the read window")
    func fileOnDisk() throws {
        let big = (1...5).map { transaction(UInt64($0), size: 100_000) }
        let file = header + big.joined()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-trim-\(UUID().uuidString)").path
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (trim, size) = try BinlogTrim.scan(BlockingFile.reading(path), after: GTIDPosition("0-1-3")!)
        #expect(size == file.count)
        #expect(trim == BinlogTrim(headerEnd: header.count, start: header.count + big[0].count * 3))
    }
}
