import Hummingbird
import Logging

extension Router {
    /// Serves `methods` at path "/" with the ConPaaS rules of PROTOCOL.md.
    ///
    /// `GET /` and `POST /` (JSON, JSON-RPC 2.0 and multipart UPLOAD) answer
    /// with JSON. Requests that reach no route of this router get JSON too:
    /// 405 for other verbs on "/", 404 for other paths. Each call is logged at
    /// debug level with `rpc.method` metadata; param values are never logged.
    public func addJSONRPC(_ methods: RPCMethods, configuration: RPCServerConfiguration, logger: Logger) {
        let endpoint = RPCEndpoint(dispatcher: RPCDispatcher(methods: methods, logger: logger), configuration: configuration)
        get("/") { request, _ in await endpoint.get(request).response() }
        post("/") { request, _ in await endpoint.post(request).response() }
        add(middleware: UnroutedRequestMiddleware<Context>())
    }
}

/// Limits and behaviour of the JSON-RPC endpoint.
public struct RPCServerConfiguration: Sendable {
    /// Where UPLOAD files are streamed; created if missing.
    public var uploadDirectory: String
    /// The most bytes of files one UPLOAD request may carry (default 1 GiB).
    ///
    /// A larger upload is refused while it streams: the partial file is
    /// removed and the handler is not called.
    public var maxUploadBytes: Int64
    /// The largest JSON body a POST may have (default 4 MiB); also bounds the text fields of an UPLOAD.
    public var maxJSONBodyBytes: Int

    /// A configuration; the limits default to 1 GiB of upload and 4 MiB of JSON.
    public init(uploadDirectory: String, maxUploadBytes: Int64 = 1 << 30, maxJSONBodyBytes: Int = 4 << 20) {
        self.uploadDirectory = uploadDirectory
        self.maxUploadBytes = maxUploadBytes
        self.maxJSONBodyBytes = maxJSONBodyBytes
    }
}

/// Gives JSON bodies to the router's own "not found" answers.
///
/// It acts only when the router found no route (Hummingbird's bodiless 404
/// from its not-found responder); every other response passes untouched.
struct UnroutedRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil && context.endpointPath == "NotFound" {
            guard request.uri.path == "/" else {
                return RPCReply.conpaasError(.notFound, "Not found: no JSON-RPC endpoint at this path").response()
            }
            var reply = RPCReply.conpaasError(.methodNotAllowed, "Method not allowed: \(request.method.rawValue); use GET or POST")
            reply.headers[.allow] = "GET, POST"
            return reply.response()
        }
    }
}
