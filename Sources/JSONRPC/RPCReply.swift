import Hummingbird

/// A JSON answer and its HTTP status, in either dialect.
struct RPCReply: Sendable {
    let status: HTTPResponse.Status
    /// The JSON body; nil only for 204 (a 2.0 notification or a batch of them).
    let body: JSONValue?
    var headers: HTTPFields = [:]

    /// The HTTP response, always `Content-Type: application/json`.
    func response() -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        guard let body else { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.utf8)))
    }

    /// 204 with no body: nothing to answer.
    static let noContent = RPCReply(status: .noContent, body: .none)

    /// `{"error": message, "id": id}` with a transport-level status.
    static func conpaasError(_ status: HTTPResponse.Status, _ message: String, id: JSONValue = .null) -> RPCReply {
        RPCReply(status: status, body: ["error": .string(message), "id": id])
    }

    /// The ConPaaS answer to a call: 200 with result or error, or 404 "method not found".
    static func conpaas(_ outcome: RPCOutcome, id: JSONValue) -> RPCReply {
        switch outcome {
        case .result(let value):
            return RPCReply(status: .ok, body: ["result": value, "error": .null, "id": id])
        case .failure(let error):
            return RPCReply(status: .ok, body: ["error": .string(error.message), "id": id])
        case .methodNotFound:
            return conpaasError(.notFound, RPCError.methodNotFound.message, id: id)
        }
    }

    /// A ConPaaS answer for an envelope that could not become a call.
    static func conpaas(_ envelopeError: RPCEnvelopeError) -> RPCReply {
        conpaasError(.badRequest, envelopeError.error.message, id: envelopeError.id)
    }

    /// The JSON-RPC 2.0 response object for a call's outcome.
    static func jsonRPC2(_ outcome: RPCOutcome, id: JSONValue) -> JSONValue {
        switch outcome {
        case .result(let value):
            return ["jsonrpc": "2.0", "result": value, "id": id]
        case .failure(let error):
            return jsonRPC2Error(error, id: id)
        case .methodNotFound:
            return jsonRPC2Error(.methodNotFound, id: id)
        }
    }

    /// `{"jsonrpc": "2.0", "error": {"code", "message"}, "id"}`.
    static func jsonRPC2Error(_ error: RPCError, id: JSONValue) -> JSONValue {
        ["jsonrpc": "2.0", "error": ["code": .int(error.code), "message": .string(error.message)], "id": id]
    }

    /// A single 2.0 response object sent with HTTP 200.
    static func jsonRPC2(_ response: JSONValue) -> RPCReply {
        RPCReply(status: .ok, body: response)
    }
}
