import ConPaaSCore
import Foundation
@testable import OpenNebula
@testable import OpenNebulaSimulator
import Testing

@Suite("Agent template rendering and escaping")
struct TemplateRenderingTests {
    private func template(base: String = "") -> AgentTemplate {
        AgentTemplate(base: base, imageID: 7, networkID: 3, cpu: 0.5, memoryMB: 512, initScript: Data("#!/bin/sh\necho hi\n".utf8))
    }

    @Test func quotesAreEscapedAndBackslashesKept() throws {
        #expect(try TemplateText.quoted(#"say "hi""#, attribute: "A") == #""say \"hi\"""#)
        #expect(try TemplateText.quoted(#"C:\dir\x"#, attribute: "A") == #""C:\dir\x""#)
        #expect(try TemplateText.quoted(#"a\"b"#, attribute: "A") == #""a\\"b""#)
        #expect(try TemplateText.quoted("two\nlines", attribute: "A") == "\"two\nlines\"")
    }

    @Test(arguments: [#"ends with \"#, "cdata ]]> inside", "cost $5"])
    func valuesOpenNebulaCannotCarryAreRefused(value: String) {
        #expect(throws: TemplateText.RefusedValue.self) { try TemplateText.quoted(value, attribute: "A") }
    }

    @Test func variablesAreAllowedOnlyWhenAsked() throws {
        #expect(try TemplateText.quoted("$NIC[IP]", attribute: "IP_PUBLIC", allowingVariables: true) == #""$NIC[IP]""#)
    }

    @Test func attributeNamesAreUpperCasedAndChecked() throws {
        #expect(try TemplateText.attributeName("manager_ip") == "MANAGER_IP")
        #expect(throws: TemplateText.RefusedValue.self) { try TemplateText.attributeName("MANAGER-IP") }
        #expect(throws: TemplateText.RefusedValue.self) { try TemplateText.attributeName("") }
        #expect(TemplateText.number(1) == "1")
        #expect(TemplateText.number(0.25) == "0.25")
    }

    @Test func renderedValuesComeBackIdenticalThroughOpenNebulasGrammar() throws {
        let awkward = [
            "QUOTES": #"he said "yes", then "no""#, "BACKSLASHES": #"C:\temp\new"#, "BACKSLASH_QUOTE": #"a\"b"#,
            "PUNCTUATION": "a = b, [c] # d", "MULTILINE": "line 1\nline 2\n", "UNICODE": "naïve ☃", "EMPTY": "",
        ]
        let base = try String(contentsOfFile: DriverFiles.agentTemplate, encoding: .utf8)
        let text = try template(base: base).render(name: #"conpaassql-"7""#, context: awkward)
        let attributes = try TemplateParser.parse(text)
        let context = try #require(attributes.compactMap { if case .vector("CONTEXT", let values) = $0 { values } else { nil } }.first)
        for (key, value) in awkward { #expect(context[key] == value, "\(key)") }
        #expect(context["IP_PUBLIC"] == "$NIC[IP]")
        #expect(context["VMID"] == "$VMID")
        #expect(context["CONPAASSQL_ROLE"] == "agent")
        #expect(context["NETWORK"] == "YES")
        let script = try #require(context["START_SCRIPT_BASE64"].flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: script, as: UTF8.self) == "#!/bin/sh\necho hi\n")
        #expect(attributes.contains(.single(name: "NAME", value: #"conpaassql-"7""#)))
        #expect(attributes.contains(.single(name: "CPU", value: "0.5")))
        #expect(attributes.contains(.single(name: "MEMORY", value: "512")))
        #expect(attributes.contains(.vector(name: "DISK", values: ["IMAGE_ID": "7"])))
        #expect(attributes.contains(.vector(name: "NIC", values: ["NETWORK_ID": "3"])))
        #expect(attributes.contains(.single(name: "VCPU", value: "1")), "the file's own attributes are kept")
    }

    @Test func theRequestCannotReplaceTheDriversVariables() throws {
        let text = try template().render(name: "n", context: ["IP_PUBLIC": "1.2.3.4", "vmid": "9", "NODE_ID": "3"])
        #expect(!text.contains("1.2.3.4"))
        #expect(!text.contains(#""9""#))
        #expect(text.contains(#"NODE_ID = "3""#))
    }

    @Test func namesEqualBarCaseAreRefused() {
        #expect(throws: TemplateText.RefusedValue.self) {
            try template().render(name: "n", context: ["node_id": "1", "NODE_ID": "2"])
        }
    }
}
