/// libFuzzer target for the replica's reader of a master's dump stream: the
/// input is `<chunk size byte><stream>`, fed whole and in chunks of that size.
///
/// Beyond "no crash", both feedings must find the same GTID position,
/// completion, failure and byte count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSnapshotScanner(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let chunkSize = bytes.first.map({ Int($0) + 1 }) else { return 0 }
    let stream = bytes.dropFirst()
    var whole = SnapshotScanner()
    whole.feed(stream)
    whole.finish()
    var chunked = SnapshotScanner()
    for start in stride(from: stream.startIndex, to: stream.endIndex, by: chunkSize) {
        chunked.feed(stream[start..<min(start + chunkSize, stream.endIndex)])
    }
    chunked.finish()
    let wholeFindings = SnapshotScannerFuzz.findings(whole)
    let chunkedFindings = SnapshotScannerFuzz.findings(chunked)
    guard wholeFindings == chunkedFindings else {
        fatalError("whole stream gave \(wholeFindings), \(chunkSize)-byte chunks \(chunkedFindings)")
    }
    return 0
}

/// What a scanner found, comparable.
enum SnapshotScannerFuzz {
    struct Findings: Equatable {
        let gtidPosition: String?
        let isComplete: Bool
        let masterFailure: String?
        let byteCount: Int64
    }

    static func findings(_ scanner: SnapshotScanner) -> Findings {
        Findings(
            gtidPosition: scanner.gtidPosition, isComplete: scanner.isComplete,
            masterFailure: scanner.masterFailure, byteCount: scanner.byteCount
        )
    }
}
