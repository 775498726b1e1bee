import Foundation
import Hummingbird
import JSONRPC
import Testing

@Suite("RPCClient")
struct RPCClientTests {
    @Test("GET and POST calls return the result")
    func calls() async throws {
        try await withLiveServer(testMethods()) { base in
            let client = RPCClient(baseURL: base + "/")
            let nodes = try await client.call("list_nodes", kind: .get, params: ["filter": "a&b=c d+e/é"])
            #expect(nodes == ["masters": [1], "slaves": [2, 3], "params": ["filter": "a&b=c d+e/é"]])
            #expect(try await client.call("add", params: ["a": 40, "b": 2]) == 42)
            #expect(try await client.call("echo") == [:])
        }
    }

    @Test("the server's error string surfaces as RPCError.failed", arguments: [
        ("refuse", RPCMethodKind.post, "Service in wrong state"),
        ("explode", .post, "Unknown error."),
        ("add", .get, "method not found"),
        ("nope", .post, "method not found"),
    ])
    func serverErrors(method: String, kind: RPCMethodKind, message: String) async throws {
        try await withLiveServer(testMethods()) { base in
            await #expect(throws: RPCError.failed(message)) {
                try await RPCClient(baseURL: base).call(method, kind: kind)
            }
        }
    }

    @Test("connection refused is an unreachable RPCClientError naming the server")
    func connectionRefused() async throws {
        let port = try await withLiveServer(testMethods()) { base in Int(base.split(separator: ":").last!)! }
        let client = RPCClient(baseURL: "http://127.0.0.1:\(port)", timeout: .seconds(1))
        let error = try await #require(throws: RPCClientError.self) { try await client.call("echo") }
        #expect(error.kind == .unreachable)
        #expect(error.description == "cannot reach http://127.0.0.1:\(port): connection refused")
    }

    @Test("a non-JSON answer is an invalidResponse RPCClientError")
    func nonJSONAnswer() async throws {
        let router = Router()
        router.post("/") { _, _ in
            Response(status: .badGateway, body: ResponseBody(byteBuffer: ByteBuffer(string: "<html>bad gateway</html>")))
        }
        try await withLiveRouter(router) { base in
            let error = try await #require(throws: RPCClientError.self) { try await RPCClient(baseURL: base).call("echo") }
            #expect(error.kind == .invalidResponse)
            #expect(error.description == "HTTP 502 with a non-JSON body")
        }
    }

    @Test("an answer slower than the timeout is a timeout RPCClientError")
    func timeout() async throws {
        let router = Router()
        router.post("/") { _, _ in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }
        try await withLiveRouter(router) { base in
            let client = RPCClient(baseURL: base, timeout: .milliseconds(200))
            let error = try await #require(throws: RPCClientError.self) { try await client.call("echo") }
            #expect(error.kind == .timeout)
        }
    }

    @Test("UPLOAD methods are refused by call(_:kind:) and a missing file by upload(...)")
    func misuse() async throws {
        let client = RPCClient(baseURL: "http://127.0.0.1:9")
        let viaCall = try await #require(throws: RPCClientError.self) { try await client.call("send_mysqldump", kind: .upload) }
        #expect(viaCall.kind == .invalidRequest)
        let missing = try await #require(throws: RPCClientError.self) {
            try await client.upload("send_mysqldump", fileField: "mysqldump", filePath: "/nonexistent/dump.sql")
        }
        #expect(missing.description == "cannot read the file to upload: /nonexistent/dump.sql")
    }
}
