import Hummingbird
import NIOPosix

/// The ConPaaS JSON-RPC rules of PROTOCOL.md for `GET /` and `POST /`.
///
/// Every answer is JSON; nothing a client sends makes it throw.
struct RPCEndpoint: Sendable {
    let dispatcher: RPCDispatcher
    let configuration: RPCServerConfiguration

    /// `GET /?method=NAME&params=<url-encoded JSON object>&id=1`.
    func get(_ request: Request) async -> RPCReply {
        guard let query = FormURLEncoded.decode(request.uri.query ?? "") else {
            return .conpaasError(.badRequest, "Invalid request: malformed query string")
        }
        do {
            let call = try RPCCall.conpaas(query: query)
            return .conpaas(await dispatcher.run(call), id: call.id)
        } catch {
            return .conpaas(error)
        }
    }

    /// `POST /` with a JSON body (ConPaaS or 2.0, single or batch) or a multipart/form-data UPLOAD.
    func post(_ request: Request) async -> RPCReply {
        let contentType = HeaderValue(request.headers[.contentType] ?? "")
        switch contentType.value {
        case "application/json", "application/json-rpc", "application/jsonrequest":
            return await postJSON(request.body)
        case "multipart/form-data":
            return await upload(request.body, boundary: contentType.parameters["boundary"] ?? "")
        default:
            let message = "Unsupported Content-Type \"\(contentType.value)\": use application/json or multipart/form-data"
            return .conpaasError(.unsupportedMediaType, message)
        }
    }

    private func postJSON(_ body: RequestBody) async -> RPCReply {
        let bytes: [UInt8]
        do {
            guard let collected = try await Self.collect(body, limit: configuration.maxJSONBodyBytes) else {
                return .conpaasError(.contentTooLarge, "Invalid request: body larger than \(configuration.maxJSONBodyBytes) bytes")
            }
            bytes = collected
        } catch {
            return .conpaasError(.badRequest, "Invalid request: cannot read the body")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            let parseError = RPCError(message: "Parse error: \(error)", code: RPCError.Code.parseError)
            if Self.mentionsJSONRPC(bytes) { return .jsonRPC2(RPCReply.jsonRPC2Error(parseError, id: .null)) }
            return .conpaasError(.badRequest, parseError.message)
        }
        switch document {
        case .array(let requests):
            return await batch(requests)
        case .object(let envelope) where RPCCall.isJSONRPC2(envelope):
            return await runJSONRPC2(document).map(RPCReply.jsonRPC2) ?? .noContent
        case .object(let envelope):
            do {
                let call = try RPCCall.conpaas(envelope: envelope)
                return .conpaas(await dispatcher.run(call), id: call.id)
            } catch {
                return .conpaas(error)
            }
        default:
            return .conpaasError(.badRequest, "Invalid request: expected a JSON object")
        }
    }

    /// A JSON-RPC 2.0 batch: one answer per request that has an id, in order.
    private func batch(_ requests: [JSONValue]) async -> RPCReply {
        guard !requests.isEmpty else {
            let error = RPCError(message: "Invalid request: empty batch", code: RPCError.Code.invalidRequest)
            return .jsonRPC2(RPCReply.jsonRPC2Error(error, id: .null))
        }
        var responses: [JSONValue] = []
        for request in requests {
            if let response = await runJSONRPC2(request) { responses.append(response) }
        }
        return responses.isEmpty ? .noContent : RPCReply(status: .ok, body: .array(responses))
    }

    /// Runs one 2.0 request; nil for a well-formed notification, which gets no answer.
    private func runJSONRPC2(_ request: JSONValue) async -> JSONValue? {
        do {
            let call = try RPCCall.jsonRPC2(request: request)
            let outcome = await dispatcher.run(call)
            // `.none`, not `nil`: JSONValue is itself ExpressibleByNilLiteral.
            guard !call.isNotification else { return .none }
            return RPCReply.jsonRPC2(outcome, id: call.id)
        } catch {
            return RPCReply.jsonRPC2Error(error.error, id: error.id)
        }
    }

    /// Streams an UPLOAD to disk, runs the method, then deletes the files whatever happened.
    private func upload(_ body: RequestBody, boundary: String) async -> RPCReply {
        guard (1...200).contains(boundary.utf8.count) else {
            return .conpaasError(.badRequest, "Invalid request: multipart/form-data without a usable boundary")
        }
        let receiver: MultipartFormReceiver
        do {
            receiver = try MultipartFormReceiver(
                boundary: boundary, directory: configuration.uploadDirectory,
                maxFileBytes: configuration.maxUploadBytes, maxFieldBytes: configuration.maxJSONBodyBytes
            )
        } catch {
            return error.reply
        }
        defer { receiver.removeFiles() }
        do {
            // File writes block: they run on NIO's thread pool, one chunk at a time.
            for try await chunk in body {
                try await NIOThreadPool.singleton.runIfActive { try receiver.consume(chunk) }
            }
            try receiver.finish()
        } catch let error as MultipartFormError {
            return error.reply
        } catch {
            return .conpaasError(.badRequest, "Invalid request: cannot read the body")
        }
        do {
            let call = try RPCCall.upload(fields: receiver.fields, files: receiver.files)
            return .conpaas(await dispatcher.run(call), id: call.id)
        } catch {
            return .conpaas(error)
        }
    }

    /// The whole body, or nil once it passes `limit` bytes.
    private static func collect(_ body: RequestBody, limit: Int) async throws -> [UInt8]? {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.readableBytes <= limit else { return nil }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }

    /// Whether unparseable text was meant as JSON-RPC 2.0, so its parse error is answered in 2.0 form.
    private static func mentionsJSONRPC(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes, as: UTF8.self).contains("\"jsonrpc\"")
    }
}
