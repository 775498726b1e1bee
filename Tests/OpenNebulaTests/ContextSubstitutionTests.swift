@testable import OpenNebulaSimulator
import Testing

@Suite("CONTEXT variable substitution (onesim)")
struct ContextSubstitutionTests {
    private let source = SubstitutionSource(
        name: "agent-1", uid: 0, uname: "oneadmin",
        template: [
            .single(name: "MEMORY", value: "512"), .single(name: "VMID", value: "42"),
            .vector(name: "NIC", values: ["IP": "10.0.0.2", "NIC_ID": "0", "NETWORK": "default"]),
            .vector(name: "NIC", values: ["IP": "10.0.0.3", "NIC_ID": "1", "NETWORK": "backup"]),
        ],
        userTemplate: [.single(name: "OWNER", value: "ops")],
        network: ["GATEWAY": "10.0.0.1"])

    @Test(arguments: [
        ("$NIC[IP]", "10.0.0.2"),
        (#"$NIC[IP, NETWORK="backup"]"#, "10.0.0.3"),
        ("$NIC[IP, NIC_ID=1]", "10.0.0.3"),
        ("vm $VMID is $NAME", "vm 42 is agent-1"),
        ("$UNAME/$MEMORY/$OWNER/$UNKNOWN.", "oneadmin/512/ops/."),
        ("$NETWORK[GATEWAY, NETWORK_ID=0]", "10.0.0.1"),
        ("$VMID$NAME", "42agent-1"),
        (#"keep \$HOME"#, #"keep \$HOME"#),
        ("no variables, = , ] at all", "no variables, = , ] at all"),
    ])
    func referencesResolveLikeOpenNebulas(text: String, expected: String) throws {
        #expect(try ContextSubstitution.substitute(text, in: source) == expected)
    }

    @Test func aDollarWithoutAVariableIsAParseError() {
        #expect(throws: TemplateParseError.self) { try ContextSubstitution.substitute("cost $ 5", in: source) }
        #expect(throws: TemplateParseError.self) { try ContextSubstitution.substitute("$NIC[IP", in: source) }
    }

    @Test func theWholeContextIsMarshalledAndSplitAgain() throws {
        let values = ["IP_PUBLIC": "$NIC[IP]", "URL": "http://x/?a=b", "VMID": "$VMID"]
        let result = try ContextSubstitution.substitute(values, in: source)
        #expect(result == ["IP_PUBLIC": "10.0.0.2", "URL": "http://x/?a=b", "VMID": "42"])
    }

    @Test func errorsNameTheMarshalledContext() {
        do {
            _ = try ContextSubstitution.substitute(["A": "x$ y"], in: source)
            Issue.record("expected a parse error")
        } catch {
            #expect(error.detail?.hasPrefix("Error parsing: A=x$ y. syntax error, unexpected EOA") == true)
        }
    }
}
