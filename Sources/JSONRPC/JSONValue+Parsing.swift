/// Why a text is not JSON, in the words of Foundation's reader (which parsed
/// requests before, so clients see the same messages).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong (with the byte offset where reading stopped, when known).
    public let reason: String

    public var description: String { reason }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259). Integers that fit in `Int` become `.int`, other numbers `.double`.
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONValue(parsing: Array(text.utf8))
    }

    /// Parses JSON from UTF-8 bytes by the rules of Foundation's `JSONSerialization`,
    /// which parsed them before: invalid UTF-8, lone surrogates, numbers out of
    /// `Double`'s range and nesting deeper than 512 are refused; a leading byte order
    /// mark and a comma before `]` or `}` are allowed; a repeated member name keeps
    /// its last value. (One difference: a negative integer of 19 digits that fits in
    /// `Int` is an `.int`, where Foundation made it a rounded `.double`.)
    public init(parsing utf8: [UInt8]) throws(JSONParseError) {
        self = try utf8.withUnsafeBufferPointer { (bytes) throws(JSONParseError) in
            var reader = JSONReader(bytes: bytes)
            return try reader.document()
        }
    }
}

/// A recursive-descent reader over UTF-8 bytes (see ``JSONValue/init(parsing:)-([UInt8])``).
struct JSONReader {
    static let maximumDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { offset = 3 }
        let value = try self.value()
        skipWhitespace()
        guard offset == bytes.count else { throw failure("Invalid value") }
        return value
    }

    private mutating func value() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("Invalid value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("Invalid value")
        }
    }

    private mutating func object() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var members: [String: JSONValue] = [:]
        while true {
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return .object(members) }
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw failure("Invalid value") }
            let name = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw failure("Invalid value") }
            members[name] = try value()
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return .object(members) }
            guard consume(UInt8(ascii: ",")) else { throw failure("Invalid value") }
        }
    }

    private mutating func array() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        var elements: [JSONValue] = []
        while true {
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            elements.append(try value())
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(elements) }
            guard consume(UInt8(ascii: ",")) else { throw failure("Invalid value") }
        }
    }

    /// Steps over the opening bracket, one level deeper.
    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("Too many nested arrays or dictionaries") }
        offset += 1
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[offset..<offset + count])
        else { throw failure("Invalid value") }
        offset += count
        return value
    }

    private mutating func number() throws(JSONParseError) -> JSONValue {
        let start = offset
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            guard offset == bytes.count || bytes[offset] &- UInt8(ascii: "0") >= 10 else { throw failure("Number with leading zero") }
        } else if !skipDigits() {
            throw failure("Invalid value")
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            guard skipDigits() else { throw failure("Invalid value") }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            integral = false
            offset += 1
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            guard skipDigits() else { throw failure("Invalid value") }
        }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        if integral, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { throw JSONParseError(reason: "Number \(text) is not representable in Swift.") }
        return .double(double)
    }

    /// Steps over digits; answers whether there was at least one.
    private mutating func skipDigits() -> Bool {
        let start = offset
        while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
        return offset > start
    }
}
