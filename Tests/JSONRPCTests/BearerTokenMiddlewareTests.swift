import JSONRPC
import Testing

@Suite("BearerTokenMiddleware")
struct BearerTokenMiddlewareTests {
    let call = #"{"method":"echo","params":{},"id":1}"#

    private func post(_ base: String, _ headers: [(String, String)]) async throws -> RawResponse {
        try await rawRequest(base, method: "POST", headers: [("Content-Type", "application/json")] + headers, body: call)
    }

    @Test("a missing or wrong token is 401 with a JSON error", arguments: [
        [],
        [("Authorization", "Bearer wrong")],
        [("Authorization", "Bearer s3cre")],
        [("Authorization", "Bearer s3cret-and-more")],
        [("Authorization", "Basic czNjcmV0")],
        [("Authorization", "s3cret")],
        [("X-Auth-Token", "")],
    ])
    func refused(headers: [(String, String)]) async throws {
        try await withLiveServer(testMethods(), secret: "s3cret") { base in
            let response = try await post(base, headers)
            #expect(response.status == 401)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.header("WWW-Authenticate") == "Bearer")
            #expect(response.body == #"{"error":"Unauthorized: missing or invalid token","id":null}"#)
        }
    }

    @Test("the right token passes as Bearer or X-Auth-Token", arguments: [
        [("Authorization", "Bearer s3cret")],
        [("Authorization", "bearer s3cret")],
        [("X-Auth-Token", "s3cret")],
    ])
    func accepted(headers: [(String, String)]) async throws {
        try await withLiveServer(testMethods(), secret: "s3cret") { base in
            let response = try await post(base, headers)
            #expect(response.status == 200)
            #expect(response.json == ["result": [:], "error": nil, "id": 1])
        }
    }

    @Test("unrouted requests are refused too, before any 404")
    func unroutedNeedsToken() async throws {
        try await withLiveServer(testMethods(), secret: "s3cret") { base in
            let withoutToken = try await rawRequest("\(base)/elsewhere")
            #expect(withoutToken.status == 401)
            let withToken = try await rawRequest("\(base)/elsewhere", headers: [("X-Auth-Token", "s3cret")])
            #expect(withToken.status == 404)
        }
    }

    @Test("a nil secret lets every request through")
    func noSecret() async throws {
        try await withLiveServer(testMethods(), secret: nil) { base in
            let response = try await post(base, [])
            #expect(response.status == 200)
        }
    }

    @Test("RPCClient sends its token")
    func clientToken() async throws {
        try await withLiveServer(testMethods(), secret: "s3cret") { base in
            let result = try await RPCClient(baseURL: base, token: "s3cret").call("echo", params: ["k": 1])
            #expect(result == ["k": 1])
            await #expect(throws: RPCError.failed("Unauthorized: missing or invalid token")) {
                try await RPCClient(baseURL: base, token: "nope").call("echo")
            }
        }
    }
}
