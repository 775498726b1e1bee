import JSONRPC
import Testing

@Suite("JSON-RPC 2.0")
struct JSONRPC2Tests {
    let json = [("Content-Type", "application/json")]

    private func post(_ base: String, _ body: String) async throws -> RawResponse {
        try await rawRequest(base, method: "POST", headers: json, body: body)
    }

    @Test("a 2.0 request gets a 2.0 response, and may reach GET methods too")
    func single() async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await post(base, #"{"jsonrpc":"2.0","method":"add","params":{"a":1,"b":2},"id":"x"}"#)
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == #"{"id":"x","jsonrpc":"2.0","result":3}"#)
            let getMethod = try await post(base, #"{"jsonrpc":"2.0","method":"list_nodes","id":2}"#)
            #expect(getMethod.json["result"]?["masters"] == [1])
        }
    }

    @Test("2.0 errors are objects with standard and application codes, HTTP 200", arguments: [
        (#"{"jsonrpc":"2.0","method":"nope","id":1}"#, -32601, "method not found", JSONValue.int(1)),
        (#"{"jsonrpc":"2.0","method":"add","params":{"a":1},"id":1}"#, -32602, "Missing argument: b", 1),
        (#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#, -32602, "Invalid params: params must be named (a JSON object)", 1),
        (#"{"jsonrpc":"2.0","method":"refuse","id":"r"}"#, -32001, "Service in wrong state", "r"),
        (#"{"jsonrpc":"2.0","method":"explode","id":1}"#, -32603, "Unknown error.", 1),
        (#"{"jsonrpc":"2.0","method":5,"id":1}"#, -32600, #"Invalid request: "method" must be a string"#, 1),
        (#"{"jsonrpc":"2.0","method":"echo","id":[1]}"#, -32600, #"Invalid request: "id" must be a string, a number or null"#, nil),
    ])
    func errors(body: String, code: Int, message: String, id: JSONValue) async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await post(base, body)
            #expect(response.status == 200)
            #expect(response.json == ["jsonrpc": "2.0", "error": ["code": .int(code), "message": .string(message)], "id": id])
        }
    }

    @Test("a \"jsonrpc\" member other than \"2.0\" is -32600 Invalid Request, alone or in a batch, and runs nothing", arguments: [
        #"{"jsonrpc":"3.0","method":"count","id":1}"#, #"{"jsonrpc":"1.5","method":"count","id":1}"#,
        #"{"jsonrpc":2.0,"method":"count","id":1}"#, #"{"jsonrpc":null,"method":"count","id":1}"#,
    ])
    func wrongVersion(body: String) async throws {
        let counter = CallCounter()
        try await withLiveServer(counter.methods) { base in
            let response = try await post(base, body)
            #expect(response.status == 200)
            #expect(response.json == [
                "jsonrpc": "2.0", "error": ["code": -32600, "message": #"Invalid request: "jsonrpc" must be "2.0""#], "id": 1,
            ])
            let batch = try await post(base, "[\(body)]")
            #expect(batch.json.arrayValue?.first?["error"]?["code"] == -32600)
        }
        #expect(counter.calls == 0)
    }

    @Test("unparseable 2.0 text is a -32700 parse error")
    func parseError() async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await post(base, #"{"jsonrpc":"2.0","method":"echo""#)
            #expect(response.status == 200)
            #expect(response.json["error"]?["code"] == -32700)
            #expect(response.json["id"] == .null)
        }
    }

    @Test("a batch is answered in order, without entries for notifications")
    func batch() async throws {
        try await withLiveServer(testMethods()) { base in
            let body = """
                [{"jsonrpc":"2.0","method":"add","params":{"a":1,"b":1},"id":1},
                 {"jsonrpc":"2.0","method":"echo","params":{"quiet":true}},
                 {"jsonrpc":"2.0","method":"nope","id":2},
                 {"method":"echo","id":3},
                 7]
                """
            let response = try await post(base, body)
            #expect(response.status == 200)
            let invalid: JSONValue = [
                "jsonrpc": "2.0", "id": nil,
                "error": ["code": -32600, "message": #"Invalid request: expected an object with "jsonrpc": "2.0""#],
            ]
            #expect(response.json == [
                ["jsonrpc": "2.0", "result": 2, "id": 1],
                ["jsonrpc": "2.0", "error": ["code": -32601, "message": "method not found"], "id": 2],
                invalid,
                invalid,
            ])
        }
    }

    @Test("notifications, alone or in a batch, get 204 with no body")
    func notifications() async throws {
        try await withLiveServer(testMethods()) { base in
            let single = try await post(base, #"{"jsonrpc":"2.0","method":"echo"}"#)
            #expect(single.status == 204)
            #expect(single.body.isEmpty)
            let batch = try await post(base, #"[{"jsonrpc":"2.0","method":"echo"},{"jsonrpc":"2.0","method":"refuse"}]"#)
            #expect(batch.status == 204)
            #expect(batch.body.isEmpty)
        }
    }

    @Test("an empty batch is -32600")
    func emptyBatch() async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await post(base, "[]")
            #expect(response.status == 200)
            #expect(response.json == [
                "jsonrpc": "2.0", "error": ["code": -32600, "message": "Invalid request: empty batch"], "id": nil,
            ])
        }
    }
}
