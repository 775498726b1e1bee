/// A token of OpenNebula's `$VARIABLE` grammar (`vm_var_parser.l`).
struct ContextVariableToken: Sendable, Equatable {
    enum Kind: String, Sendable {
        case text = "RSTRING", variable = "VARIABLE", endOfAttribute = "EOA", openBracket = "OBRACKET"
        case closeBracket = "CBRACKET", comma = "COMMA", equal = "EQUAL", string = "STRING", end = "$end"
    }

    let kind: Kind
    /// Verbatim text, a variable name, a string value, or the character an EOA
    /// ends with (empty when it ends with `$` or the end of input).
    var text = ""
    var firstColumn = 1
    var lastColumn = 1
}

/// Splits a marshalled CONTEXT (`KEY=value@^_KEY=value`) into tokens with
/// OpenNebula's rules: text is copied verbatim (`\$` included, backslash and
/// all) until a `$` starts a variable.
struct ContextVariableLexer {
    private enum Mode { case text, variable, value }

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var mode = Mode.text
    private var column = 1

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Every token up to and including `.end`.
    mutating func tokens() -> [ContextVariableToken] {
        var tokens: [ContextVariableToken] = []
        while true {
            let token = next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() -> ContextVariableToken {
        while true {
            guard position < scalars.count else {
                if mode == .variable {
                    mode = .text
                    return ContextVariableToken(kind: .endOfAttribute, firstColumn: column, lastColumn: column)
                }
                return ContextVariableToken(kind: .end, firstColumn: column, lastColumn: column)
            }
            let (length, kind, nextMode) = match()
            let start = position
            position += max(length, 1)
            column += max(length, 1)
            if length > 0 { mode = nextMode }
            guard length > 0, let kind else { continue }
            var lexeme = String(String.UnicodeScalarView(scalars[start..<start + length]))
            switch kind {
            case .string where lexeme.hasPrefix("\""): lexeme = String(lexeme.dropFirst().dropLast())
            case .endOfAttribute where lexeme == "$": lexeme = ""
            case .openBracket, .closeBracket, .comma, .equal: lexeme = ""
            default: break
            }
            return ContextVariableToken(kind: kind, text: lexeme, firstColumn: column - length, lastColumn: column)
        }
    }

    private func match() -> (Int, ContextVariableToken.Kind?, Mode) {
        switch mode {
        case .text:
            if scalars[position] == "$" { return (1, nil, .variable) }
            var index = position
            while index < scalars.count, scalars[index] != "$" {
                if scalars[index] == "\\" {
                    guard index + 1 < scalars.count else { break }
                    index += 2
                } else {
                    index += 1
                }
            }
            return (index - position, .text, .text)
        case .variable:
            let blanks = run(from: position, isBlank)
            var best: (Int, ContextVariableToken.Kind?, Mode) = (0, nil, .variable)
            func offer(_ length: Int, _ kind: ContextVariableToken.Kind, _ next: Mode) {
                if length > best.0 { best = (length, kind, next) }
            }
            if at(position + blanks) == "=" { offer(blanks + 1 + run(from: position + blanks + 1, isBlank), .equal, .value) }
            if at(position + blanks) == "," { offer(blanks + 1 + run(from: position + blanks + 1, isBlank), .comma, .variable) }
            if at(position) == "[" { offer(1 + run(from: position + 1, isBlank), .openBracket, .variable) }
            if at(position + blanks) == "]" { offer(blanks + 1, .closeBracket, .variable) }
            offer(run(from: position) { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }, .variable, .variable)
            offer(at(position) == "$" ? 1 : 0, .endOfAttribute, .variable)
            offer(at(position) != "\n" ? 1 : 0, .endOfAttribute, .text)
            return best
        case .value:
            if at(position) == "\"", let close = scalars[(position + 1)...].firstIndex(of: "\"") {
                return (close - position + 1, .string, .variable)
            }
            let length = run(from: position) { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
            return (length, length > 0 ? .string : nil, length > 0 ? .variable : .value)
        }
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
}
