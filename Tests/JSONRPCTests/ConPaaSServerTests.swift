import JSONRPC
import Testing

/// The ConPaaS form of PROTOCOL.md, checked on the wire with raw requests.
@Suite("ConPaaS JSON-RPC server")
struct ConPaaSServerTests {
    let json = [("Content-Type", "application/json")]

    @Test("GET with url-encoded params answers result, error null and the id as sent")
    func getCall() async throws {
        try await withLiveServer(testMethods()) { base in
            let params = queryEncoded(#"{"serviceNodeId": "a b+c"}"#)
            let response = try await rawRequest("\(base)/?method=list_nodes&params=\(params)&id=1", headers: json)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == #"{"error":null,"id":"1","result":{"masters":[1],"params":{"serviceNodeId":"a b+c"},"slaves":[2,3]}}"#)
        }
    }

    @Test("GET without params or Content-Type works; '+' in the query reads as a space")
    func getWithoutParams() async throws {
        try await withLiveServer(testMethods()) { base in
            let bare = try await rawRequest("\(base)/?method=list_nodes")
            #expect(bare.json["result"]?["params"] == [:])
            #expect(bare.json["id"] == .null)
            let plus = try await rawRequest("\(base)/?method=list_nodes&params=%7B%22x%22%3A%22a+b%22%7D&id=7")
            #expect(plus.json["result"]?["params"] == ["x": "a b"])
            #expect(plus.json["id"] == "7")
            let escaped = try await rawRequest("\(base)/?method=list_nodes&params=%7B%22x%22%3A%22%C3%A9%2B%25%22%7D")
            #expect(escaped.json["result"]?["params"] == ["x": "é+%"])
            // Not UTF-8 once decoded (the client itself re-escapes a "%" that starts no escape).
            let malformed = try await rawRequest("\(base)/?method=list_nodes&id=%FF")
            #expect(malformed.status == 400)
            #expect(malformed.json == ["error": "Invalid request: malformed query string", "id": nil])
        }
    }

    @Test("GET params that are not a JSON object are a 400 with a JSON error")
    func getBadParams() async throws {
        try await withLiveServer(testMethods()) { base in
            let notObject = try await rawRequest("\(base)/?method=list_nodes&params=%5B1%5D&id=1", headers: json)
            #expect(notObject.status == 400)
            #expect(notObject.json == ["error": #"Invalid request: "params" must be a JSON object"#, "id": "1"])
            let notJSON = try await rawRequest("\(base)/?method=list_nodes&params=%7Bx&id=1", headers: json)
            #expect(notJSON.status == 400)
            #expect(notJSON.json["error"]?.stringValue?.hasPrefix(#"Invalid request: "params" is not JSON"#) == true)
        }
    }

    @Test("POST answers with the id as sent; a missing id is answered as null")
    func postCall() async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await rawRequest(
                base + "/", method: "POST", headers: json, body: #"{"method": "add", "params": {"a": 2, "b": "40"}, "id": "1"}"#
            )
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == #"{"error":null,"id":"1","result":42}"#)
            let noID = try await rawRequest(base + "/", method: "POST", headers: json, body: #"{"method": "echo"}"#)
            #expect(noID.body == #"{"error":null,"id":null,"result":{}}"#)
        }
    }

    @Test("POST accepts the JSON content types, with or without a charset", arguments: [
        "application/json", "application/json-rpc", "application/jsonrequest", "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
    ])
    func contentTypes(contentType: String) async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await rawRequest(
                base, method: "POST", headers: [("Content-Type", contentType)], body: #"{"method":"echo","params":{"k":"v"},"id":5}"#
            )
            #expect(response.status == 200)
            #expect(response.json == ["result": ["k": "v"], "error": nil, "id": 5])
        }
    }

    @Test("a method called with the wrong kind, or unknown, is 404 method not found")
    func wrongKind() async throws {
        try await withLiveServer(testMethods()) { base in
            let postToGet = try await rawRequest(base, method: "POST", headers: json, body: #"{"method":"list_nodes","id":"9"}"#)
            #expect(postToGet.status == 404)
            #expect(postToGet.json == ["error": "method not found", "id": "9"])
            let getToPost = try await rawRequest("\(base)/?method=add&id=2", headers: json)
            #expect(getToPost.status == 404)
            #expect(getToPost.json == ["error": "method not found", "id": "2"])
            let unknown = try await rawRequest(base, method: "POST", headers: json, body: #"{"method":"nope","id":1}"#)
            #expect(unknown.status == 404)
            #expect(unknown.json == ["error": "method not found", "id": 1])
        }
    }

    @Test("no method is 400 Did not specify method")
    func noMethod() async throws {
        try await withLiveServer(testMethods()) { base in
            let get = try await rawRequest("\(base)/?id=3", headers: json)
            #expect(get.status == 400)
            #expect(get.json == ["error": "Did not specify method", "id": "3"])
            let post = try await rawRequest(base, method: "POST", headers: json, body: #"{"params":{},"id":4}"#)
            #expect(post.status == 400)
            #expect(post.json == ["error": "Did not specify method", "id": 4])
        }
    }

    @Test("malformed or ill-typed envelopes are 400 with a JSON error", arguments: [
        (#"{"method": "echo", "params": "#, "Parse error: Unexpected end of file during JSON parse."),
        (#"{"method": 42}"#, #"Invalid request: "method" must be a string"#),
        (#"{"method": "echo", "params": [1]}"#, #"Invalid request: "params" must be a JSON object"#),
        ("[1, 2", "Parse error: Unexpected end of file during JSON parse."),
        ("\"echo\"", "Invalid request: expected a JSON object"),
    ])
    func badEnvelopes(body: String, message: String) async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await rawRequest(base, method: "POST", headers: json, body: body)
            #expect(response.status == 400)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.json["error"] == .string(message))
        }
    }

    @Test("other paths are 404, other verbs on / are 405, other content types 415, all with JSON bodies")
    func transportErrors() async throws {
        try await withLiveServer(testMethods()) { base in
            let otherPath = try await rawRequest("\(base)/rpc?method=list_nodes", headers: json)
            #expect(otherPath.status == 404)
            #expect(otherPath.header("Content-Type") == "application/json")
            #expect(otherPath.json["error"]?.stringValue?.hasPrefix("Not found") == true)
            let put = try await rawRequest(base, method: "PUT", headers: json, body: "{}")
            #expect(put.status == 405)
            #expect(put.header("Allow") == "GET, POST")
            #expect(put.json == ["error": "Method not allowed: PUT; use GET or POST", "id": nil])
            let form = try await rawRequest(
                base, method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "method=echo"
            )
            #expect(form.status == 415)
            #expect(form.json["error"]?.stringValue?.hasPrefix("Unsupported Content-Type") == true)
        }
    }

    @Test("a JSON body over the limit is 413 and the handler is not run")
    func bodyLimit() async throws {
        let configuration = RPCServerConfiguration(uploadDirectory: temporaryDirectory(), maxJSONBodyBytes: 64)
        try await withLiveServer(testMethods(), configuration: configuration) { base in
            let big = #"{"method":"echo","params":{"x":""# + String(repeating: "a", count: 100) + #""}}"#
            let response = try await rawRequest(base, method: "POST", headers: json, body: big)
            #expect(response.status == 413)
            #expect(response.json == ["error": "Invalid request: body larger than 64 bytes", "id": nil])
        }
    }

    @Test("deep nesting is answered up to the limit and refused beyond it")
    func deepNesting() async throws {
        try await withLiveServer(testMethods()) { base in
            let nested = { (depth: Int) in String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
            let deep = try await rawRequest(
                base, method: "POST", headers: json, body: #"{"method":"echo","params":{"x":"# + nested(509) + "}}"
            )
            #expect(deep.status == 200)
            #expect(deep.body.contains(nested(509)))
            let tooDeep = try await rawRequest(
                base, method: "POST", headers: json, body: #"{"method":"echo","params":{"x":"# + nested(100_000) + "}}"
            )
            #expect(tooDeep.status == 400)
            #expect(tooDeep.json["error"]?.stringValue?.hasPrefix("Parse error: Too many nested arrays or dictionaries") == true)
        }
    }
}
