@testable import OpenNebulaSimulator
import Testing

/// Hostile and malformed XML-RPC bodies: every one is answered with an error,
/// nothing in the pool changes and the simulator keeps serving.
@Suite("Bad input to onesim")
struct SimulatorBadInputTests {
    private static let session = "<value>oneadmin:opennebula</value>"
    private static let template = "<value><string>NAME=x CPU=1 MEMORY=64</string></value>"

    /// Bodies that are not XML, not XML-RPC, or call methods with what they cannot take.
    private static let hostileBodies: [String] = [
        "\u{0}\u{1}\u{2}", "<methodCall>", "<?xml version=\"1.0\"?>", String(repeating: "<", count: 10_000),
        "<methodCall><methodName>one.vm.allocate</methodName><params><param>" + String(repeating: "<value><array><data>", count: 100)
            + String(repeating: "</data></array></value>", count: 100) + "</param></params></methodCall>",
        String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000),
        """
        <?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\
        <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\
        <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">\
        <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]>\
        <methodCall><methodName>one.vm.allocate</methodName><params><param><value>&g;</value></param></params></methodCall>
        """,
        """
        <?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\
        <methodCall><methodName>one.vm.allocate</methodName><params><param><value>&x;</value></param></params></methodCall>
        """,
        methodCall("one.vm.allocate", [session, "<value><struct><member><name>T</name><value>x</value></member></struct></value>", "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.allocate", [session, template, "<value><boolean>yes</boolean></value>"]),
        methodCall("one.vm.allocate", [session, "<value><foo>1</foo></value>", "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.allocate", [session, template, "<value><boolean>0</boolean><boolean>1</boolean></value>"]),
        methodCall("one.vm.allocate", [session, template, "<value><boolean>0</boolean></value>", "<value><i4>99999999999</i4></value>"]),
        methodCall("one.vm.allocate", [session, "<value><string>NAME = [ </string></value>", "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.allocate", ["<value>oneadmin:wrong</value>", template, "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.action", [session, "<value><string>resume</string></value>", "<value><double>nan</double></value>"]),
        methodCall("one.vm.action", [session, "<value><string>explode</string></value>", "<value><i4>0</i4></value>"]),
        methodCall("one.vm.allocate\u{0}", [session, template, "<value><boolean>0</boolean></value>"]),
        methodCall(String(repeating: "m", count: 100_000), [session]),
        methodCall("one.vm.allocate", [session, "<value><string><?x?></string></value>", "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.allocate", [session, "<value><string>&lt;TEMPLATE&gt;&lt;?NAME?&gt;&lt;/TEMPLATE&gt;</string></value>", "<value><boolean>0</boolean></value>"]),
        methodCall("one.vm.allocate", [session, "<value><string>" + String(repeating: "X", count: 8 << 20) + "</string></value>"]),
    ]

    private static let poolQuery = methodCall("one.vmpool.info", [session] + Array(repeating: "<value><i4>-1</i4></value>", count: 3) + ["<value><i4>-2</i4></value>"])

    /// Found by `scripts/fuzz` (xmlrpc-call): FoundationXML's XMLParser traps on
    /// an element or attribute name that is not UTF-8, and dereferences null on a
    /// processing instruction without data; either killed onesim.
    @Test("A call that would crash XMLParser is refused, not read", arguments: [
        [0x3C, 0x61, 0x3E, 0x3C, 0x70, 0xFF, 0x72, 0x3E, 0x3C, 0x2F, 0x61, 0x3E] as [UInt8],
        [0x3C, 0x70, 0xC3, 0x72, 0x2F, 0x3E], [0x3C, 0x61, 0x20, 0x62, 0xFF, 0x3D, 0x27, 0x27, 0x2F, 0x3E],
        Array("<methodCall><methodName>one.vm.info</methodName><params><p".utf8) + [0xE9] + Array("ram/></params></methodCall>".utf8),
        Array("<?xm?>\n<methodCall><methodName>one.vm.info</methodName></methodCall>".utf8),
        Array("<methodCall><methodName>one.vm.info</methodName><?x?></methodCall>".utf8),
        // Crashed when XMLParser was aborted from its error callback (a change reverted).
        [0, 0, 0] + Array("<?xml version=\"1.0\"?>\n<metho".utf8),
    ])
    func crashesXMLParser(body: [UInt8]) {
        #expect(throws: CallParseError.self) { try MethodCallParser.parse(body) }
    }

    /// Found by `scripts/fuzz` (xmlrpc-call): a `<base64>` value holding markup (through
    /// CDATA or entities) was written back as it was, so the document did not read again.
    @Test("A base64 value holding markup is written escaped and reads back unchanged")
    func base64RoundTrip() throws {
        let body = "<methodCall><methodName>one.vm.info</methodName><params><param><value><base64>aGV<![CDATA[<x>]]>&amp;</base64></value></param></params></methodCall>"
        let value = try #require(try MethodCallParser.parse(Array(body.utf8)).params.first)
        guard case .base64(let text) = value else { Issue.record("not read as base64: \(value.xml)"); return }
        #expect(text == "aGV<x>&")
        let written = "<methodCall><methodName>one.vm.info</methodName><params><param>\(value.xml)</param></params></methodCall>"
        guard case .base64(let reread)? = try MethodCallParser.parse(Array(written.utf8)).params.first else {
            Issue.record("the written value does not read as base64: \(written)")
            return
        }
        #expect(reread == text)
    }

    @Test("Every hostile body gets an error, the pool stays empty and the simulator keeps answering")
    func hostileBodies() async throws {
        try await withLiveSimulator(profile: .v6_10) { live in
            for body in Self.hostileBodies {
                let response = try await rawHTTP(port: live.port, xmlrpcPost(body))
                let refused = response.status != 200 || response.body.contains("<fault>") || response.body.contains("<boolean>0</boolean>")
                #expect(refused, "\(body.prefix(200)) got \(response.status) \(response.body.prefix(300))")
                #expect(!response.body.contains("root:"), "an external entity was read: \(response.body.prefix(300))")
            }
            let wrongLength = "POST /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/xml\r\nContent-Length: 99999999999\r\n\r\n<x/>"
            #expect(try await rawHTTP(port: live.port, wrongLength).status == 500)
            let negative = "POST /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/xml\r\nContent-Length: -5\r\n\r\n<x/>"
            #expect(try await rawHTTP(port: live.port, negative).status == 400)

            #expect(await live.simulator.vms.isEmpty)
            let pool = try await rawHTTP(port: live.port, xmlrpcPost(Self.poolQuery))
            #expect(pool.status == 200)
            #expect(pool.body.contains("<boolean>1</boolean>") && !pool.body.contains("&lt;VM&gt;"), "\(pool.body.prefix(300))")
            let version = try await rawHTTP(port: live.port, xmlrpcPost(methodCall("one.system.version", [Self.session])))
            #expect(version.body.contains("<value><string>6.10.0</string></value>"))
        }
    }
}
