import ConPaaSCore
import JSONRPC

/// Which part of an archived binlog a replay from a GTID position needs. A restore
/// rolls a backup forward from the backup's position, so every transaction that
/// position holds is skipped anyway: the archive serves the file's header events
/// (magic number, format description, GTID list: everything before its first GTID
/// event) followed by the events from its first transaction the position does not
/// hold. `mariadb-binlog` reads the result as it reads the whole file (it does not
/// check the event positions), and the restore moves only what it applies instead
/// of every binlog since the master began.
struct BinlogTrim: Sendable, Equatable {
    /// Where the header events end (the first GTID event, or the end of the file).
    var headerEnd: Int
    /// Where the events to serve after the header start (the end of the file when none is needed).
    var start: Int

    /// Whether the trim drops nothing.
    var isWholeFile: Bool { start == headerEnd }

    static let magic: [UInt8] = [0xFE, 0x62, 0x69, 0x6E]
    /// `GTID_EVENT`: post-header `seq_no` (8 bytes), `domain_id` (4 bytes), little-endian.
    static let gtidEvent: UInt8 = 162
    /// The common event header: timestamp, type, server id, event length, next position, flags.
    static let headerLength = 19

    /// Scans the events of a binlog of `size` bytes through `read(offset, count)` (fewer
    /// bytes at the end of the file) and answers the part a replay from `position` needs;
    /// nil when it is not a binlog. A truncated last event is served as it is.
    static func scan(size: Int, after position: GTIDPosition, read: (Int, Int) throws -> [UInt8]) rethrows -> BinlogTrim? {
        guard size >= magic.count, try read(0, magic.count) == magic else { return nil }
        var offset = magic.count
        var headerEnd: Int?
        while offset + headerLength <= size {
            let bytes = try read(offset, headerLength + 12)
            guard bytes.count >= headerLength else { break }
            let length = Int(littleEndian(bytes, at: 9, count: 4))
            guard length >= headerLength, offset + length <= size else { break }
            if bytes[4] == gtidEvent, bytes.count >= headerLength + 12 {
                headerEnd = headerEnd ?? offset
                let sequence = littleEndian(bytes, at: headerLength, count: 8)
                let domain = UInt32(littleEndian(bytes, at: headerLength + 8, count: 4))
                if (position.domains[domain]?.sequence ?? 0) < sequence {
                    return BinlogTrim(headerEnd: headerEnd ?? offset, start: offset)
                }
            }
            offset += length
        }
        return BinlogTrim(headerEnd: headerEnd ?? offset, start: offset)
    }

    /// ``scan(size:after:read:)`` over the open binlog `file` (blocking: call it on a
    /// thread pool); also answers the file's size.
    static func scan(_ file: BlockingFile, after position: GTIDPosition) throws -> (trim: BinlogTrim?, size: Int) {
        let size = try file.size()
        // Event headers are read through a small window of the file: one pread serves
        // several small events, and a large event costs one short read, not its bytes.
        var window: [UInt8] = []
        var windowStart = 0
        let trim = try scan(size: size, after: position) { offset, count in
            if offset < windowStart || offset + count > windowStart + window.count {
                window = try file.read(at: offset, upTo: 4096)
                windowStart = offset
            }
            let from = offset - windowStart
            return Array(window[from..<min(from + count, window.count)])
        }
        return (trim, size)
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        (0..<count).reduce(0) { value, index in value | UInt64(bytes[offset + index]) << (8 * index) }
    }
}
