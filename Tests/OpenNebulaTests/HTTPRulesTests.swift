import OpenNebulaSimulator
import Testing

/// onesim's HTTP and XML-RPC layer, byte for byte, with raw requests.
@Suite("onesim answers HTTP and XML-RPC errors as OpenNebula does")
struct HTTPRulesTests {
    private let session = "<value>oneadmin:opennebula</value>"

    @Test func httpRulesOfAbyss() async throws {
        try await withLiveSimulator(profile: .v6_10) { live in
            let get = try await rawHTTP(port: live.port, "GET /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(get.status == 405)
            #expect(get.body.contains("POST is the only HTTP method this server understands"))
            let elsewhere = try await rawHTTP(port: live.port, xmlrpcPost("<x/>", path: "/RPC3"))
            #expect(elsewhere.status == 404)
            let options = try await rawHTTP(port: live.port, "OPTIONS /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(options.status == 200)
            #expect(options.header("Allow") == "POST")
            let plain = try await rawHTTP(port: live.port, xmlrpcPost("<x/>", headers: ["Content-Type: text/plain"]))
            #expect(plain.status == 400)
            let untyped = try await rawHTTP(port: live.port, xmlrpcPost("<x/>", headers: []))
            #expect(untyped.status == 400)
            let chunked = "POST /RPC2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<x/>\r\n0\r\n\r\n"
            let noLength = try await rawHTTP(port: live.port, chunked)
            #expect(noLength.status == 411)
            #expect(noLength.body.contains("You must send a content-length HTTP header"))
            let empty = try await rawHTTP(port: live.port, xmlrpcPost(""))
            #expect(empty.status == 400)
            let charset = try await rawHTTP(port: live.port, xmlrpcPost(methodCall("one.system.version", [session]), headers: ["Content-Type: text/xml; charset=utf-8"]))
            #expect(charset.status == 200)
            #expect(charset.header("Content-Type") == "text/xml; charset=utf-8")
            #expect(charset.body.contains("<value><string>6.10.0</string></value>"))
        }
    }

    @Test func faultsFromTheXMLRPCLayer() async throws {
        try await withLiveSimulator(profile: .v6_10) { live in
            func call(_ body: String) async throws -> String {
                let response = try await rawHTTP(port: live.port, xmlrpcPost(body))
                #expect(response.status == 200)
                return response.body
            }
            func fault(_ code: Int, _ message: String) -> [String] {
                ["<name>faultCode</name>\n<value><i4>\(code)</i4></value>", "<value><string>\(message)</string></value>"]
            }
            let cases: [(String, [String])] = [
                (methodCall("one.x.y", [session]), fault(-506, "Method 'one.x.y' not defined")),
                ("<methodCall><methodName>one.vm.info</methodName><params>", fault(-503, "Call XML not a proper XML-RPC call.  Call is not valid XML.  XML parsing failed at line 1.")),
                ("not xml at all", fault(-503, "Call XML not a proper XML-RPC call.  Call is not valid XML.  XML parsing failed at line 1.")),
                ("<methodResponse/>", fault(-503, "Call XML not a proper XML-RPC call.  XML-RPC call should be a &lt;methodCall&gt; element.  Instead, it is a &lt;methodResponse&gt; element.")),
                (methodCall("one.vm.info", [session]), fault(-501, "Not enough parameters")),
                (methodCall("one.vm.info", []), fault(-501, "Not enough parameters")),
                (methodCall("one.vm.info", ["<value><i4>0</i4></value>", "<value><i4>0</i4></value>"]), fault(-501, "Parameter that is supposed to be string is not")),
                (methodCall("one.vm.info", [session, "<value><string>0</string></value>"]), fault(-501, "Parameter that is supposed to be integer is not")),
                (methodCall("one.vm.action", [session, "<value><i4>1</i4></value>", "<value><i4>0</i4></value>"]), fault(-501, "Parameter that is supposed to be string is not")),
                (methodCall("one.vm.allocate", [session, "<value>CPU=1</value>", "<value><i4>0</i4></value>"]), fault(-501, "Parameter that is supposed to be boolean is not")),
                (methodCall("one.vmpool.info", [session, "<value><i4>-2</i4></value>"]), fault(-501, "Not enough parameters")),
            ]
            for (body, fragments) in cases {
                let answer = try await call(body)
                for fragment in fragments { #expect(answer.contains(fragment), "\(body)\n\(answer)") }
            }
        }
    }

    @Test(arguments: [
        (SimulatorProfile.v3_8, "[VirtualMachineInfo] User couldn't be authenticated, aborting call.", false),
        (.v5_12, "[one.vm.info] User couldn't be authenticated, aborting call.", true),
        (.v7_0, "[one.vm.info] User couldn't be authenticated, aborting call.", true),
    ])
    func badSessionsAreCheckedBeforeTheOtherParameters(profile: SimulatorProfile, message: String, longShape: Bool) async throws {
        try await withLiveSimulator(profile: profile) { live in
            let body = methodCall("one.vm.info", ["<value>oneadmin:wrong</value>", "<value><string>not an id</string></value>"])
            let answer = try await rawHTTP(port: live.port, xmlrpcPost(body)).body
            #expect(answer.contains("<value><boolean>0</boolean></value>\n<value><string>\(message)</string></value>\n<value><i4>256</i4></value>"))
            #expect(answer.contains("<value><i8>-1</i8></value>") == longShape)
        }
    }

    @Test func infoExtendedCameIn510() async throws {
        try await withLiveSimulator(profile: .v3_8) { live in
            let body = methodCall("one.vmpool.infoextended", [session] + Array(repeating: "<value><i4>-1</i4></value>", count: 4))
            let answer = try await rawHTTP(port: live.port, xmlrpcPost(body)).body
            #expect(answer.contains("Method 'one.vmpool.infoextended' not defined"))
        }
    }
}
