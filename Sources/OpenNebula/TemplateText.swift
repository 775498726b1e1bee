import Foundation

/// Writing values in OpenNebula's template grammar.
///
/// In a quoted value the only escape is `\"` for a quote; a backslash is copied
/// as it is (there is no `\\`), so a backslash before a quote of the value stays
/// correct once the quote is escaped, but a value that *ends* with a backslash
/// cannot be written (its closing quote would read as `\"`). A value holding
/// `]]>` aborts OpenNebula's parser. CONTEXT values are also scanned for
/// `$VARIABLE` references, which OpenNebula replaces at allocate time; a literal
/// `$` has no clean escape (`\$` keeps its backslash), so plain values must not
/// hold one.
public enum TemplateText {
    /// Why a value or name cannot go into a template.
    public struct RefusedValue: Error, Sendable, Hashable, CustomStringConvertible {
        /// The attribute concerned.
        public let attribute: String
        /// Why it cannot be written.
        public let reason: String

        public var description: String { "template attribute \(attribute): \(reason)" }
    }

    /// `value` between double quotes, with its quotes escaped.
    ///
    /// With `allowingVariables` false, a `$` is refused: OpenNebula would take it
    /// for a variable reference.
    public static func quoted(_ value: String, attribute: String, allowingVariables: Bool = false) throws(RefusedValue) -> String {
        if value.hasSuffix("\\") {
            throw RefusedValue(attribute: attribute, reason: "a value ending with a backslash cannot be quoted in OpenNebula's template grammar")
        }
        if value.contains("]]>") {
            throw RefusedValue(attribute: attribute, reason: "a value holding \"]]>\" is refused by OpenNebula's template parser")
        }
        if !allowingVariables, value.contains("$") {
            throw RefusedValue(attribute: attribute, reason: "a value holding \"$\" would be taken for an OpenNebula variable reference")
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// `name` upper-cased, when it is a valid attribute name (letters, digits, `_`).
    public static func attributeName(_ name: String) throws(RefusedValue) -> String {
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
        }
        guard valid else {
            throw RefusedValue(attribute: name, reason: "an attribute name may hold only letters, digits and \"_\"")
        }
        return name.uppercased()
    }

    /// A number as OpenNebula reads it: `1` rather than `1.0`, `0.5` as is.
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(value)
    }
}
