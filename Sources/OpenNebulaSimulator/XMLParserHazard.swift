/// Documents that crash FoundationXML's `XMLParser` instead of failing to parse
/// (both found by `scripts/fuzz`), so that onesim's `<methodCall>` reader
/// refuses them first (the manager reads VM documents with its own `XMLScanner`):
///
/// - bytes that are not UTF-8: an element or attribute name that is not traps;
/// - a processing instruction without data (`<?x?>`): its null data is read
///   with `strlen`.
enum XMLParserHazard {
    /// Why `bytes` must not reach `XMLParser`, or nil when they may. A `<?x?>`
    /// inside a comment or CDATA section is refused too.
    static func reason(_ bytes: [UInt8]) -> String? {
        guard String(validating: bytes, as: UTF8.self) != nil else { return "it is not UTF-8 text" }
        return hasEmptyProcessingInstruction(bytes) ? "it holds a processing instruction without data" : nil
    }

    /// Whether `<?` + a target + `?>` occurs with nothing between target and `?>`.
    private static func hasEmptyProcessingInstruction(_ bytes: [UInt8]) -> Bool {
        let question = UInt8(ascii: "?")
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == question else {
                index += 1
                continue
            }
            var end = index + 2
            while end < bytes.count, bytes[end] != question, ![0x20, 0x09, 0x0A, 0x0D].contains(bytes[end]) {
                end += 1
            }
            if end > index + 2, end + 1 < bytes.count, bytes[end] == question, bytes[end + 1] == UInt8(ascii: ">") {
                return true
            }
            index += 2
        }
        return false
    }
}
