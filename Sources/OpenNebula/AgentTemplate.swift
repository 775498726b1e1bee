import ConPaaSCore
import Foundation

/// The template an agent VM is allocated with: the operator's template file
/// (`images/agent.template`: OS, GRAPHICS, comments...) followed by what the
/// driver writes itself: NAME, CPU, MEMORY, DISK, NIC and CONTEXT.
///
/// CONTEXT holds the request's variables, then `IP_PUBLIC="$NIC[IP]"`,
/// `VMID="$VMID"`, `CONPAASSQL_ROLE="agent"` and the init script as
/// `START_SCRIPT_BASE64`. The script travels inside the template rather than
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
