import Foundation

/// What `$VARIABLE` references resolve to for one VM.
struct SubstitutionSource: Sendable {
    var name: String
    var uid: Int
    var uname: String
    var gid = 0
    var gname = "oneadmin"
    /// The VM's TEMPLATE (NICs already leased).
    var template: [TemplateAttribute]
    var userTemplate: [TemplateAttribute]
    /// Attributes of virtual network 0, for `$NETWORK[ATTR, NETWORK_ID=0]`.
    var network: [String: String]
}

/// OpenNebula's allocate-time CONTEXT substitution (`vm_var_syntax.y`): the
/// whole CONTEXT is marshalled as `KEY=value@^_KEY=value`, parsed at once, and
/// split again.
enum ContextSubstitution {
    /// The CONTEXT `values` with every reference replaced.
    static func substitute(_ values: [String: String], in source: SubstitutionSource) throws(TemplateParseError) -> [String: String] {
        let marshalled = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "@^_")
        let parsed: String
        do {
            parsed = try substitute(marshalled, in: source)
        } catch {
            throw TemplateParseError(detail: "Error parsing: \(marshalled). \(error.detail ?? "")")
        }
        var result: [String: String] = [:]
        for pair in parsed.components(separatedBy: "@^_") {
            guard let equal = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equal])] = String(pair[pair.index(after: equal)...])
        }
        return result
    }

    /// `text` with its references replaced; unknown ones become empty.
    static func substitute(_ text: String, in source: SubstitutionSource) throws(TemplateParseError) -> String {
        var lexer = ContextVariableLexer(text)
        let tokens = lexer.tokens()
        var index = 0
        var output = ""
        func expect(_ kind: ContextVariableToken.Kind, _ expecting: String) throws(TemplateParseError) -> ContextVariableToken {
            let token = tokens[index]
            guard token.kind == kind else {
                throw TemplateParseError(detail: "syntax error, unexpected \(token.kind.rawValue), expecting \(expecting) "
                    + "at line 1, columns \(token.firstColumn):\(token.lastColumn)")
            }
            index += 1
            return token
        }
        while tokens[index].kind != .end {
            if tokens[index].kind == .text {
                output += tokens[index].text
                index += 1
                continue
            }
            let name = try expect(.variable, "RSTRING or VARIABLE").text.uppercased()
            if tokens[index].kind == .endOfAttribute {
                output += single(name, source) + tokens[index].text
                index += 1
                continue
            }
            _ = try expect(.openBracket, "OBRACKET or EOA")
            let attribute = try expect(.variable, "VARIABLE").text.uppercased()
            var selector: (name: String, value: String)?
            if tokens[index].kind == .comma {
                index += 1
                let selectorName = try expect(.variable, "VARIABLE").text.uppercased()
                _ = try expect(.equal, "EQUAL")
                selector = (selectorName, try expect(.string, "STRING").text)
            }
            _ = try expect(.closeBracket, selector == nil ? "COMMA or CBRACKET" : "CBRACKET")
            output += vector(name, attribute: attribute, selector: selector, source) + (try expect(.endOfAttribute, "EOA").text)
        }
        return output
    }

    private static func single(_ name: String, _ source: SubstitutionSource) -> String {
        switch name {
        case "UID": return String(source.uid)
        case "UNAME": return source.uname
        case "GID": return String(source.gid)
        case "GNAME": return source.gname
        case "NAME": return source.name
        case "TEMPLATE": return ""
        default:
            for case .single(name, let value) in source.template + source.userTemplate where !value.isEmpty { return value }
            return ""
        }
    }

    private static func vector(_ name: String, attribute: String, selector: (name: String, value: String)?, _ source: SubstitutionSource) -> String {
        switch name {
        case "NETWORK": return source.network[attribute] ?? ""
        case "IMAGE", "USER": return ""
        default:
            let candidates = source.template.compactMap { element -> [String: String]? in
                if case .vector(name, let values) = element { return values }
                return nil
            }
            let chosen: [String: String]?
            if let selector {
                chosen = candidates.first { $0[selector.name] == selector.value }
            } else {
                chosen = candidates.first
            }
            return chosen?[attribute] ?? ""
        }
    }
}
