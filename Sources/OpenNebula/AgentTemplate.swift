import ConPaaSCore
import Foundation

/// The template an agent VM is allocated with: the operator's template file
/// (`images/agent.template`: OS, GRAPHICS, comments...) followed by what the
/// driver writes itself: NAME, CPU, MEMORY, DISK, NIC and CONTEXT.
///
/// CONTEXT holds the request's variables, then `IP_PUBLIC="$NIC[IP]"`,
/// `VMID="$VMID"`, `CONPAASSQL_ROLE="agent"`, `NETWORK="YES"` (OpenNebula
/// adds `ETH0_IP`, `ETH0_MASK`, `ETH0_GATEWAY`, `ETH0_DNS`, which the image
/// configures its interface from) and the init script as `START_SCRIPT_BASE64`. The script travels inside the template rather than
/// through `FILES` because `FILES` names a path on the OpenNebula front-end
/// (the manager usually runs elsewhere), is a restricted attribute for users
/// other than oneadmin, and is checked against `CONTEXT_RESTRICTED_DIRS`.
/// Both the one-context packages and this project's image run
/// `START_SCRIPT_BASE64` at boot.
struct AgentTemplate: Sendable {
    /// The operator's template text, copied first.
    let base: String
    let imageID: Int
    let networkID: Int
    let cpu: Double
    let memoryMB: Int
    /// The init script's bytes.
    let initScript: Data

    /// CONTEXT variables the driver sets itself; a request's own values for them are ignored.
    static let driverContext: [(name: String, value: String)] = [
        (AgentContext.ipPublic, "$NIC[IP]"),
        (AgentContext.vmID, "$VMID"),
        (AgentContext.role, "agent"),
        ("NETWORK", "YES"),
    ]

    /// The template text for a VM named `name` with the request's CONTEXT variables.
    func render(name: String, context: [String: String]) throws(TemplateText.RefusedValue) -> String {
        var contextLines: [String] = []
        let reserved = Set(Self.driverContext.map(\.name) + ["START_SCRIPT_BASE64"])
        var seen: Set<String> = []
        for (key, value) in context.sorted(by: { $0.key < $1.key }) {
            let attribute = try TemplateText.attributeName(key)
            guard !reserved.contains(attribute) else { continue }
            guard seen.insert(attribute).inserted else {
                throw TemplateText.RefusedValue(attribute: attribute, reason: "given twice (names are case-insensitive)")
            }
            contextLines.append("\(attribute) = \(try TemplateText.quoted(value, attribute: attribute))")
        }
        for (attribute, value) in Self.driverContext {
            contextLines.append("\(attribute) = \(try TemplateText.quoted(value, attribute: attribute, allowingVariables: true))")
        }
        contextLines.append("START_SCRIPT_BASE64 = \"\(initScript.base64EncodedString())\"")

        var text = base
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += """

            # Written by the ConPaaS SQL manager for this VM.
            NAME = \(try TemplateText.quoted(name, attribute: "NAME", allowingVariables: true))
            CPU = \(TemplateText.number(cpu))
            MEMORY = \(memoryMB)
            DISK = [ IMAGE_ID = \(imageID) ]
            NIC = [ NETWORK_ID = \(networkID) ]
            CONTEXT = [
              \(contextLines.joined(separator: ",\n  ")) ]

            """
        return text
    }
}

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

        /// The attribute and the reason.
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
