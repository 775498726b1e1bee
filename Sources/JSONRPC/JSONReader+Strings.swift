/// Strings and the small steps of ``JSONReader``.
extension JSONReader {
    /// A string, its opening quote under `offset`: escapes decoded, UTF-8 checked.
    mutating func string() throws(JSONParseError) -> String {
        let start = offset
        offset += 1
        var decoded: [UInt8] = []
        var runStart = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                decoded.append(contentsOf: bytes[runStart..<offset])
                offset += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw JSONParseError(reason: "Invalid UTF-8 sequence in the string starting from character \(start).")
                }
                return text
            }
            guard byte >= 0x20 else { throw failure("Unescaped control character") }
            guard byte == UInt8(ascii: "\\") else {
                offset += 1
                continue
            }
            decoded.append(contentsOf: bytes[runStart..<offset])
            offset += 1
            try escape(into: &decoded)
            runStart = offset
        }
        throw failure("Invalid value")
    }

    /// The escape after a backslash, appended as UTF-8.
    private mutating func escape(into decoded: inout [UInt8]) throws(JSONParseError) {
        guard offset < bytes.count else { throw failure("Invalid value") }
        let letter = bytes[offset]
        offset += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(letter)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            var unit = UInt32(try hexUnit())
            if unit & 0xFC00 == 0xD800 {
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")), case let low = UInt32(try hexUnit()), low & 0xFC00 == 0xDC00 else {
                    throw JSONParseError(reason: "Unexpected end of file during string parse (expected low-surrogate code point but did not find one).")
                }
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            } else if unit & 0xFC00 == 0xDC00 {
                throw JSONParseError(reason: "Unable to convert hex escape sequence (no high character) to UTF8-encoded character.")
            }
            UTF8.encode(Unicode.Scalar(unit)!) { decoded.append($0) }
        default:
            throw failure("Invalid escape sequence")
        }
    }

    /// Four hex digits.
    private mutating func hexUnit() throws(JSONParseError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard offset < bytes.count else { throw failure("Invalid escape sequence") }
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("Invalid escape sequence")
            }
            unit = unit << 4 | UInt16(digit)
            offset += 1
        }
        return unit
    }

    mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x09, 0x0A, 0x0D: offset += 1
            default: return
            }
        }
    }

    /// Steps over `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    /// `what` went wrong here, in the words of Foundation's reader (which clients saw before).
    func failure(_ what: String) -> JSONParseError {
        JSONParseError(reason: offset >= bytes.count ? "Unexpected end of file during JSON parse." : "\(what) around character \(offset).")
    }
}
