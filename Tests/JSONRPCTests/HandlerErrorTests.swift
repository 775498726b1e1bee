import JSONRPC
import Logging
import TestSupport
import Testing

@Suite("handler errors and logging")
struct HandlerErrorTests {
    let json = [("Content-Type", "application/json")]

    @Test("an RPCError is 200 with its message and no result key")
    func rpcError() async throws {
        try await withLiveServer(testMethods()) { base in
            let response = try await rawRequest(base, method: "POST", headers: json, body: #"{"method":"refuse","id":"1"}"#)
            #expect(response.status == 200)
            #expect(response.body == #"{"error":"Service in wrong state","id":"1"}"#)
            let badArgument = try await rawRequest(base, method: "POST", headers: json, body: #"{"method":"add","params":{"a":1},"id":2}"#)
            #expect(badArgument.body == #"{"error":"Missing argument: b","id":2}"#)
            let extra = try await rawRequest(
                base, method: "POST", headers: json, body: #"{"method":"add","params":{"a":1,"b":2,"z":3,"c":4},"id":3}"#
            )
            #expect(extra.body == #"{"error":"Unexpected arguments [c, z]","id":3}"#)
        }
    }

    @Test("any other error is 200 Unknown error., logged at error level with the method, its text never sent")
    func otherError() async throws {
        let logs = LogRecorder()
        try await withLiveServer(testMethods(), logger: logs.logger(label: "jsonrpc-test")) { base in
            let response = try await rawRequest(base, method: "POST", headers: json, body: #"{"method":"explode","id":8}"#)
            #expect(response.status == 200)
            #expect(response.body == #"{"error":"Unknown error.","id":8}"#)
            #expect(!response.body.contains("hunter2"))
        }
        let errors = logs.all.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.metadata["rpc.method"] == "explode")
        #expect(errors.first?.metadata["rpc.error"]?.description.contains("connection to 10.0.0.1 lost") == true)
    }

    @Test("each call is logged at debug with rpc.method and without param values")
    func callLogging() async throws {
        let logs = LogRecorder()
        try await withLiveServer(testMethods(), logger: logs.logger(label: "jsonrpc-test")) { base in
            let body = #"{"method":"echo","params":{"password":"s3cret-value"},"id":1}"#
            _ = try await rawRequest(base, method: "POST", headers: json, body: body)
        }
        let calls = logs.all.filter { $0.level == .debug && $0.metadata["rpc.method"] == "echo" }
        #expect(calls.count == 1)
        let everything = logs.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
        #expect(!everything.contains("s3cret-value"))
    }
}
