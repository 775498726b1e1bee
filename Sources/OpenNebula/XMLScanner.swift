/// A small XML reader for OpenNebula's VM documents: elements, text, CDATA sections,
/// the predefined entities and character references, comments and processing
/// instructions; attributes are checked and skipped; a DOCTYPE is skipped, one with
/// declarations (entities) refused. Tag names must match. It takes
/// the place of FoundationXML's `XMLParser`, which brought libxml2 and a second ICU
/// into the manager's memory.
struct XMLScanner {
    /// What ``next()`` reads.
    enum Event: Equatable {
        case start(String)
        case text(String)
        case end(String)
    }

    /// Why a document is not well-formed XML, and on which line.
    struct Failure: Error {
        let line: Int, reason: String
    }

    private let bytes: [UInt8]
    private var offset = 0
    private var open: [String] = []
    private var sawRoot = false
    private var pendingEnd: String?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next event, or nil at the end of a well-formed document.
    mutating func next() throws(Failure) -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            open.removeLast()
            return .end(name)
        }
        while offset < bytes.count {
            if bytes[offset] != UInt8(ascii: "<") {
                let text = try characters()
                if !open.isEmpty { return .text(text) }
                guard text.allSatisfy(\.isWhitespace) else { throw failure("text outside the document element") }
                continue
            }
            if skip("<!--") {
                try skip(past: "-->", what: "comment")
            } else if skip("<?") {
                try processingInstruction()
            } else if skip("<![CDATA[") {
                guard !open.isEmpty else { throw failure("CDATA outside the document element") }
                let start = offset
                try skip(past: "]]>", what: "CDATA section")
                return .text(String(decoding: bytes[start..<offset - 3], as: UTF8.self))
            } else if !sawRoot, skip("<!DOCTYPE") {
                // Skipped, unless it declares entities or anything else (no internal subset).
                let start = offset
                try skip(past: ">", what: "DOCTYPE")
                guard !bytes[start..<offset].contains(UInt8(ascii: "[")) else { throw failure("a DOCTYPE with declarations is not accepted") }
            } else if skip("<!") {
                throw failure("a misplaced declaration")
            } else if skip("</") {
                let name = try self.name()
                skipWhitespace()
                guard skip(">") else { throw failure("expected '>' after </\(name)") }
                guard open.last == name else { throw failure("</\(name)> does not close <\(open.last ?? "nothing")>") }
                open.removeLast()
                return .end(name)
            } else {
                offset += 1
                return try startTag()
            }
        }
        guard sawRoot else { throw failure("no document element") }
        guard open.isEmpty else { throw failure("the document ends inside <\(open.last!)>") }
        return nil
    }

    private mutating func startTag() throws(Failure) -> Event {
        guard open.isEmpty ? !sawRoot : true else { throw failure("a second document element") }
        let name = try self.name()
        while true {
            let spaced = skipWhitespace()
            if skip("/>") {
                pendingEnd = name
                break
            }
            if skip(">") { break }
            guard spaced else { throw failure("expected an attribute, '>' or '/>' in <\(name)>") }
            _ = try self.name()
            skipWhitespace()
            guard skip("=") else { throw failure("expected '=' after an attribute name in <\(name)>") }
            skipWhitespace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") || bytes[offset] == UInt8(ascii: "'") else {
                throw failure("expected a quoted attribute value in <\(name)>")
            }
            let quote = bytes[offset]
            offset += 1
            while offset < bytes.count, bytes[offset] != quote {
                guard bytes[offset] != UInt8(ascii: "<") else { throw failure("'<' in an attribute value") }
                offset += 1
            }
            guard skip(quote == UInt8(ascii: "\"") ? "\"" : "'") else { throw failure("unterminated attribute value") }
        }
        sawRoot = true
        open.append(name)
        return .start(name)
    }

    /// `<?target data?>` after its `<?`; the XML declaration must name a version.
    private mutating func processingInstruction() throws(Failure) {
        let target = try name()
        if skip("?>") { return }
        guard skipWhitespace() else { throw failure("expected a space after <?\(target)") }
        let start = offset
        try skip(past: "?>", what: "processing instruction")
        guard target == "xml" else { return }
        let declaration = String(decoding: bytes[start..<offset - 2], as: UTF8.self)
        guard declaration.hasPrefix("version"),
              declaration.dropFirst(7).drop(while: \.isWhitespace).first == "=",
              declaration.filter({ $0 == "\"" || $0 == "'" }).count.isMultiple(of: 2)
        else { throw failure("a malformed XML declaration") }
    }

    /// Text up to the next `<`, entities replaced.
    private mutating func characters() throws(Failure) -> String {
        var text: [UInt8] = []
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "<") {
            guard bytes[offset] == UInt8(ascii: "&") else {
                if bytes[offset] == UInt8(ascii: ">"), text.suffix(2) == [UInt8(ascii: "]"), UInt8(ascii: "]")] {
                    throw failure("']]>' in text")
                }
                guard bytes[offset] >= 0x20 || [0x09, 0x0A, 0x0D].contains(bytes[offset]) else { throw failure("a control character") }
                text.append(bytes[offset])
                offset += 1
                continue
            }
            guard let semicolon = bytes[offset...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw failure("an unterminated entity") }
            let entity = String(decoding: bytes[offset + 1..<semicolon], as: UTF8.self)
            offset = semicolon + 1
            switch entity {
            case "lt": text.append(UInt8(ascii: "<"))
            case "gt": text.append(UInt8(ascii: ">"))
            case "amp": text.append(UInt8(ascii: "&"))
            case "quot": text.append(UInt8(ascii: "\""))
            case "apos": text.append(UInt8(ascii: "'"))
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst(), radix: 10) : nil
                guard let number, number >= 0x20 || [0x09, 0x0A, 0x0D].contains(number), number != 0xFFFE, number != 0xFFFF,
                      let scalar = Unicode.Scalar(number)
                else { throw failure("unknown entity or character &\(entity);") }
                UTF8.encode(scalar) { text.append($0) }
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// An element or attribute name.
    private mutating func name() throws(Failure) -> String {
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            let letter = byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")
            let allowed = letter || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
                || (offset > start && (byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")))
            guard allowed else { break }
            offset += 1
        }
        guard offset > start else { throw failure("expected a name") }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = offset
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        return offset > start
    }

    /// Steps over `literal` if it comes next.
    private mutating func skip(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count,
              UnsafeBufferPointer(start: literal.utf8Start, count: count).elementsEqual(bytes[offset..<offset + count])
        else { return false }
        offset += count
        return true
    }

    /// Steps past the next `terminator`.
    private mutating func skip(past terminator: StaticString, what: String) throws(Failure) {
        while offset < bytes.count {
            if skip(terminator) { return }
            offset += 1
        }
        throw failure("an unterminated \(what)")
    }

    private func failure(_ reason: String) -> Failure {
        Failure(line: 1 + bytes[..<min(offset, bytes.count)].lazy.filter { $0 == 0x0A }.count, reason: reason)
    }
}
