/// libFuzzer target for the UPLOAD body reader: the input is
/// `<chunk size byte><boundary>\n<body>`; the body is parsed whole and in chunks
/// of that size, and the part headers are split as `MultipartFormReceiver` does.
///
/// Beyond "no crash", both readings must agree: same errors, same events, same
/// body bytes, whatever the split.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let chunkSize = bytes.first.map({ Int($0) + 1 }),
          let newline = bytes.dropFirst().firstIndex(of: 0x0A) else { return 0 }
    let boundary = String(decoding: bytes[1..<newline], as: UTF8.self)
    // RPCEndpoint.upload refuses other boundary lengths before parsing.
    guard (1...200).contains(boundary.utf8.count) else { return 0 }
    let body = Array(bytes[(newline + 1)...])
    let whole = MultipartFuzz.read(body, boundary: boundary, chunkSize: max(body.count, 1))
    let chunked = MultipartFuzz.read(body, boundary: boundary, chunkSize: chunkSize)
    guard whole == chunked else { fatalError("whole body read as \(whole), in \(chunkSize)-byte chunks as \(chunked)") }
    return 0
}

/// One reading of a body, with adjacent body events merged.
enum MultipartFuzz {
    enum Outcome: Equatable {
        case events([MultipartEvent])
        case failed(MultipartSyntaxError)
    }

    static func read(_ body: [UInt8], boundary: String, chunkSize: Int) -> Outcome {
        var parser = MultipartStreamParser(boundary: boundary)
        var events: [MultipartEvent] = []
        do {
            for start in stride(from: 0, to: body.count, by: chunkSize) {
                for event in try parser.parse(body[start..<min(start + chunkSize, body.count)]) {
                    append(event, to: &events)
                }
            }
        } catch {
            return .failed(error)
        }
        return .events(events)
    }

    private static func append(_ event: MultipartEvent, to events: inout [MultipartEvent]) {
        switch (events.last, event) {
        case (.body(let earlier)?, .body(let more)):
            events[events.count - 1] = .body(ArraySlice(earlier + more))
        case (_, .partStart(let headers)):
            let disposition = HeaderValue(headers["content-disposition"] ?? "")
            _ = (disposition.value, disposition.parameters["name"], disposition.parameters["filename"])
            events.append(event)
        default:
            events.append(event)
        }
    }
}
