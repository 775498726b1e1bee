/// Reads a `mariadb-dump --gtid --master-data=2` stream as it passes and picks
/// out the two lines that matter: the GTID position of the snapshot and the
/// closing `-- Dump completed` line that proves the stream is whole.
///
/// Lines can be megabytes long (extended INSERTs); only the first bytes of each
/// line are kept.
struct SnapshotScanner: Sendable {
    private static let gtidPrefix = Array("-- SET GLOBAL gtid_slave_pos='".utf8)
    private static let completedPrefix = Array("-- Dump completed".utf8)
    private static let keptBytes = 256

    /// The GTID position the snapshot is consistent with (`""` for an empty binlog).
    private(set) var gtidPosition: String?
    /// Whether the dump's closing line went by.
    private(set) var isComplete = false
    /// Bytes seen so far.
    private(set) var byteCount: Int64 = 0

    private var line: [UInt8] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            byteCount += 1
            if byte == UInt8(ascii: "\n") {
                finishLine()
            } else if line.count < Self.keptBytes {
                line.append(byte)
            }
        }
    }

    /// Call at the end of the stream, for a last line without a newline.
    mutating func finish() {
        finishLine()
    }

    private mutating func finishLine() {
        defer { line.removeAll(keepingCapacity: true) }
        if line.starts(with: Self.completedPrefix) {
            isComplete = true
        } else if line.starts(with: Self.gtidPrefix) {
            let rest = line.dropFirst(Self.gtidPrefix.count)
            if let quote = rest.firstIndex(of: UInt8(ascii: "'")) {
                gtidPosition = String(decoding: rest[rest.startIndex..<quote], as: UTF8.self)
            }
        }
    }
}
