import Glibc

/// Reads a `mariadb-dump --gtid --master-data=2` stream as it passes and picks
/// out the lines that matter: the GTID position of the snapshot, the closing
/// `-- Dump completed` line that proves the stream is whole, and the master's
/// reason when its dump failed (a last line that ``failureLine(_:)`` wrote).
///
/// Lines can be megabytes long (extended INSERTs); only the first bytes of each
/// line are kept.
struct SnapshotScanner: Sendable {
    private static let gtidPrefix = Array("-- SET GLOBAL gtid_slave_pos='".utf8)
    private static let completedPrefix = Array("-- Dump completed".utf8)
    private static let failurePrefix = Array("-- ConPaaS snapshot failed: ".utf8)
    private static let keptBytes = 1024

    /// The line a master appends when its dump failed: an SQL comment, on a line of its own.
    static func failureLine(_ reason: String) -> String {
        let oneLine = reason.map { $0.isNewline ? " " : $0 }
        return "\n" + String(decoding: failurePrefix, as: UTF8.self) + String(oneLine) + "\n"
    }

    /// The GTID position the snapshot is consistent with (`""` for an empty binlog).
    private(set) var gtidPosition: String?
    /// Whether the dump's closing line went by.
    private(set) var isComplete = false
    /// Why the master's dump failed, when the last line said so.
    private(set) var masterFailure: String?
    /// Bytes seen so far.
    private(set) var byteCount: Int64 = 0

    private var line: [UInt8] = []

    /// Feeds the next bytes of the stream (any split into chunks).
    mutating func feed(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ feed(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { feed($0) }
        }
    }

    /// Feeds raw bytes: newlines are found with `memchr` and only the first
    /// ``keptBytes`` of a line are copied, so a dump streams at memory speed.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        byteCount += Int64(bytes.count)
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else {
                keep(base + start, count: bytes.count - start)
                return
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            keep(base + start, count: end - start)
            finishLine()
            start = end + 1
        }
    }

    private mutating func keep(_ start: UnsafeRawPointer, count: Int) {
        let room = Self.keptBytes - line.count
        guard room > 0, count > 0 else { return }
        line.append(contentsOf: UnsafeRawBufferPointer(start: start, count: min(room, count)))
    }

    /// Call at the end of the stream, for a last line without a newline.
    mutating func finish() {
        finishLine()
    }

    private mutating func finishLine() {
        guard !line.isEmpty else { return }
        defer { line.removeAll(keepingCapacity: true) }
        masterFailure = nil
        if line.starts(with: Self.failurePrefix) {
            masterFailure = String(decoding: line.dropFirst(Self.failurePrefix.count), as: UTF8.self)
        } else if line.starts(with: Self.completedPrefix) {
            isComplete = true
        } else if line.starts(with: Self.gtidPrefix) {
            let rest = line.dropFirst(Self.gtidPrefix.count)
            if let quote = rest.firstIndex(of: UInt8(ascii: "'")) {
                gtidPosition = String(decoding: rest[rest.startIndex..<quote], as: UTF8.self)
            }
        }
    }
}
