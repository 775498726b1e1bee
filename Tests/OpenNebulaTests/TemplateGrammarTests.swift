@testable import OpenNebulaSimulator
import Testing

@Suite("OpenNebula template grammar (onesim)")
struct TemplateGrammarTests {
    @Test func singlesVectorsCommentsAndCase() throws {
        let text = """
            # a comment
            name = "agent one"
              cpu=0.5
            MEMORY = 512   # a comment after a value
            nic = [ network_id = 0,
                    ip = "10.0.0.9" ]
            EMPTY =
            NOTHING = [ ]
            """
        let attributes = try TemplateParser.parse(text + "\n")
        #expect(attributes.first == .single(name: "NAME", value: "agent one"))
        #expect(attributes.contains(.single(name: "CPU", value: "0.5")))
        #expect(attributes.contains(.vector(name: "NIC", values: ["NETWORK_ID": "0", "IP": "10.0.0.9"])))
        #expect(attributes.contains(.single(name: "EMPTY", value: "")))
        #expect(attributes.contains(.vector(name: "NOTHING", values: [:])))
    }

    @Test func quotedValuesUnescapeOnlyQuotes() throws {
        let attributes = try TemplateParser.parse(#"A = "x \"y\" \\ z""# + "\nB = \"multi\nline\"\n")
        #expect(attributes[0] == .single(name: "A", value: #"x "y" \\ z"#))
        #expect(attributes[1] == .single(name: "B", value: "multi\nline"))
        #expect(TemplateParser.unescape(#"a\\"b"#) == #"a\"b"#)
    }

    @Test func repeatedVectorKeysKeepTheFirstAndSinglesRepeat() throws {
        let attributes = try TemplateParser.parse("V = [ K = 1, K = 2 ]\nS = 1\nS = 2\n")
        #expect(attributes == [.vector(name: "V", values: ["K": "1"]), .single(name: "S", value: "1"), .single(name: "S", value: "2")])
    }

    @Test(arguments: [
        ("= 1", "Parse error: syntax error, unexpected EQUAL, expecting VARIABLE at line 1, columns 1:3"),
        ("A = [ B ]", "Parse error: syntax error, unexpected CBRACKET, expecting EQUAL at line 1, columns 8:10"),
        ("NIC = [ NETWORK_ID = 0", "Parse error: syntax error, unexpected $end, expecting COMMA or CBRACKET at line 1, columns 23:23"),
        ("CPU 1", "Parse error: syntax error, unexpected VARIABLE, expecting EQUAL or EQUAL_EMPTY at line 1, columns 5:6"),
        ("A = \"x]]>\"", "Parse error."),
    ])
    func errorsReadLikeOpenNebulas(text: String, message: String) {
        #expect(throws: TemplateParseError.self) { try TemplateParser.parse(text) }
        do {
            _ = try TemplateParser.parse(text)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func xmlTemplatesAreRead() throws {
        let attributes = try TemplateParser.parse("<TEMPLATE><NAME>x</NAME><NIC><NETWORK_ID>0</NETWORK_ID></NIC></TEMPLATE>")
        #expect(attributes == [.single(name: "NAME", value: "x"), .vector(name: "NIC", values: ["NETWORK_ID": "0"])])
        #expect(throws: TemplateParseError(detail: "XML Template malformed.")) { try TemplateParser.parse("<TEMPLATE>") }
    }
}
