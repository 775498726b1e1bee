/// A token of OpenNebula's template grammar (`template_parser.l`).
struct TemplateToken: Sendable, Equatable {
    enum Kind: String, Sendable {
        case variable = "VARIABLE", equal = "EQUAL", equalEmpty = "EQUAL_EMPTY", comma = "COMMA"
        case openBracket = "OBRACKET", closeBracket = "CBRACKET", string = "STRING", cdata = "CCDATA"
        case end = "$end"
    }

    let kind: Kind
    /// The name or the value (quotes stripped, not yet unescaped).
    var text = ""
    /// Line of the token's end, and its first and last column counted from the
    /// start of the input, as OpenNebula's scanner reports them.
    var line = 1
    var firstColumn = 1
    var lastColumn = 1
}

/// Splits a template into tokens the way flex does with OpenNebula's rules:
/// the longest match wins, the earlier rule on a tie; characters no rule
/// matches are skipped (flex's default rule echoes them).
struct TemplateLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var inValue = false
    private var line = 1
    private var column = 1

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// The next token, `.end` at the end of the input.
    mutating func next() -> TemplateToken {
        while position < scalars.count {
            let (length, kind) = inValue ? matchInValue() : matchInInitial()
            let start = position
            consume(max(length, 1))
            guard length > 0, let kind else { continue }
            let lexeme = String(String.UnicodeScalarView(scalars[start..<start + length]))
            var token = TemplateToken(kind: kind, line: line, firstColumn: column - length, lastColumn: column)
            switch kind {
            case .equal: inValue = true
            case .openBracket, .cdata: inValue = false
            case .string:
                inValue = false
                token.text = lexeme.hasPrefix("\"") && length == quotedLength(at: start) ? String(lexeme.dropFirst().dropLast()) : lexeme
            case .variable: token.text = lexeme
            default: break
            }
            return token
        }
        return TemplateToken(kind: .end, line: line, firstColumn: column, lastColumn: column)
    }

    private mutating func consume(_ count: Int) {
        for scalar in scalars[position..<min(position + count, scalars.count)] where scalar == "\n" { line += 1 }
        position += count
        column += count
    }

    private func matchInInitial() -> (Int, TemplateToken.Kind?) {
        let blanks = run(from: position, isBlank)
        let blanksAndNewlines = run(from: position) { isBlank($0) || $0 == "\n" }
        var best: (Int, TemplateToken.Kind?) = (0, nil)
        func offer(_ length: Int, _ kind: TemplateToken.Kind?) { if length > best.0 { best = (length, kind) } }
        if at(position + blanks) == "#" {
            let lineEnd = run(from: position + blanks + 1) { $0 != "\n" }
            if at(position + blanks + 1 + lineEnd) == "\n" { offer(blanks + lineEnd + 2, nil) }
        }
        offer(blanksAndNewlines, nil)
        offer(run(from: position, isNameCharacter), .variable)
        if at(position + blanks) == "=" {
            let after = position + blanks + 1 + run(from: position + blanks + 1, isBlank)
            offer(after - position, .equal)
            if at(after) == "\n" { offer(after - position + 1, .equalEmpty) }
        }
        let punctuation: [(Unicode.Scalar, TemplateToken.Kind)] = [(",", .comma), ("]", .closeBracket)]
        for (symbol, kind) in punctuation where at(position + blanksAndNewlines) == symbol {
            let end = position + blanksAndNewlines + 1
            offer(end + run(from: end) { isBlank($0) || $0 == "\n" } - position, kind)
        }
        return best
    }

    private func matchInValue() -> (Int, TemplateToken.Kind?) {
        var best: (Int, TemplateToken.Kind?) = (0, nil)
        func offer(_ length: Int, _ kind: TemplateToken.Kind) { if length > best.0 { best = (length, kind) } }
        let blanks = run(from: position, isBlank)
        if at(position + blanks) == "[" {
            offer(blanks + 1 + run(from: position + blanks + 1) { isBlank($0) || $0 == "\n" }, .openBracket)
        }
        let restOfLine = run(from: position) { $0 != "\n" }
        if String(String.UnicodeScalarView(scalars[position..<position + restOfLine])).contains("]]>") {
            offer(restOfLine, .cdata)
        }
        offer(quotedLength(at: position), .string)
        offer(run(from: position) { !isBlank($0) && !"=#\n,[]".unicodeScalars.contains($0) }, .string)
        return best
    }

    /// Length of `"..."` at `start` where every inner quote follows a backslash;
    /// the longest such match, 0 when there is none.
    private func quotedLength(at start: Int) -> Int {
        guard at(start) == "\"" else { return 0 }
        var longest = 0
        var index = start + 1
        while index < scalars.count {
            if scalars[index] == "\"" {
                longest = index - start + 1
                if scalars[index - 1] != "\\" || index == start + 1 { break }
            }
            index += 1
        }
        return longest
    }

    private func at(_ index: Int) -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private func run(from start: Int, _ accepts: (Unicode.Scalar) -> Bool) -> Int {
        var index = start
        while index < scalars.count, accepts(scalars[index]) { index += 1 }
        return index - start
    }

    private func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

    private func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
    }
}
