import FoundationEssentials

/// One thing found in a `multipart/form-data` body, in order.
enum MultipartEvent: Equatable {
    /// A part begins; its headers by lowercased name.
    case partStart(headers: [String: String])
    /// The next bytes of the current part.
    case body(ArraySlice<UInt8>)
    /// The current part is complete.
    case partEnd
    /// The closing boundary: nothing after it matters.
    case end
}

/// Why a body is not well-formed multipart.
struct MultipartSyntaxError: Error, Equatable {
    let reason: String
}

/// An incremental RFC 7578 reader: feed it the body chunk by chunk, get events back.
///
/// It holds at most one chunk plus a boundary's length of body bytes, and
/// bounds the preamble and each header block, so any input is safe to feed.
struct MultipartStreamParser {
    static let maxHeaderBlockBytes = 16 << 10
    static let maxPreambleBytes = 64 << 10

    private enum State {
        case preamble, afterBoundary, headers, body, epilogue
    }

    /// "\r\n--" + boundary: what ends a part (the body is read as if it began with "\r\n").
    private let delimiter: [UInt8]
    private var pending: [UInt8] = Array("\r\n".utf8)
    private var state = State.preamble
    private var preambleBytes = 0

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// Reads `chunk` and returns the events it completes.
    mutating func parse(_ chunk: some Sequence<UInt8>) throws(MultipartSyntaxError) -> [MultipartEvent] {
        guard state != .epilogue else { return [] }
        pending.append(contentsOf: chunk)
        var events: [MultipartEvent] = []
        var position = 0
        scanning: while true {
            switch state {
            case .preamble, .body:
                let match = Self.find(delimiter, in: pending, from: position)
                let end = match ?? max(position, pending.count - (delimiter.count - 1))
                if state == .body, end > position { events.append(.body(pending[position..<end])) }
                if state == .preamble { try countPreamble(end - position) }
                guard let match else {
                    position = end
                    break scanning
                }
                if state == .body { events.append(.partEnd) }
                position = match + delimiter.count
                state = .afterBoundary
            case .afterBoundary:
                guard pending.count - position >= 2 else { break scanning }
                switch (pending[position], pending[position + 1]) {
                case (UInt8(ascii: "-"), UInt8(ascii: "-")):
                    events.append(.end)
                    state = .epilogue
                    position = pending.count
                    break scanning
                case (0x0D, 0x0A):
                    position += 2
                    state = .headers
                case (UInt8(ascii: " "), _), (0x09, _):
                    position += 1
                default:
                    throw MultipartSyntaxError(reason: "unexpected bytes after a boundary")
                }
            case .headers:
                guard let (headers, next) = try readHeaderBlock(from: position) else { break scanning }
                events.append(.partStart(headers: headers))
                position = next
                state = .body
            case .epilogue:
                position = pending.count
                break scanning
            }
        }
        pending = Array(pending[position...])
        return events
    }

    private mutating func countPreamble(_ count: Int) throws(MultipartSyntaxError) {
        preambleBytes += count
        guard preambleBytes <= Self.maxPreambleBytes else { throw MultipartSyntaxError(reason: "no boundary found") }
    }

    /// The headers from `start` up to the blank line, and where the body starts; nil until the blank line arrives.
    private func readHeaderBlock(from start: Int) throws(MultipartSyntaxError) -> ([String: String], Int)? {
        let blankLine: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        if pending[start...].starts(with: blankLine[2...]) { return ([:], start + 2) }
        guard let end = Self.find(blankLine, in: pending, from: start) else {
            guard pending.count - start <= Self.maxHeaderBlockBytes else { throw MultipartSyntaxError(reason: "part headers too long") }
            return nil
        }
        guard end - start <= Self.maxHeaderBlockBytes else { throw MultipartSyntaxError(reason: "part headers too long") }
        var headers: [String: String] = [:]
        for line in pending[start..<end].split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = line.last == 0x0D ? line.dropLast() : line
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  colon > line.startIndex,
                  line[..<colon].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else {
                throw MultipartSyntaxError(reason: "malformed part header")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[line.index(after: colon)...], as: UTF8.self)
            headers[name] = value.trimmingWhitespace()
        }
        return (headers, end + blankLine.count)
    }

    /// The first index where `needle` occurs whole in `haystack` at or after `start`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        let lastStart = haystack.count - needle.count
        var index = start
        while index <= lastStart {
            guard let candidate = haystack[index...lastStart].firstIndex(of: needle[0]) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}
