import AsyncHTTPClient
import Foundation
import Hummingbird
import JSONRPC
import Logging
import TestSupport

/// Runs a Hummingbird server on 127.0.0.1 port 0 serving `methods` behind
/// `BearerTokenMiddleware(secret:)`, calls `body` with its base URL
/// ("http://127.0.0.1:PORT"), then stops it.
@discardableResult
func withLiveServer<T>(
    _ methods: RPCMethods,
    configuration: RPCServerConfiguration = RPCServerConfiguration(uploadDirectory: temporaryDirectory()),
    secret: String? = nil,
    logger: Logger = Logger(label: "jsonrpc-test", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (String) async throws -> T
) async throws -> T {
    let router = Router()
    router.add(middleware: BearerTokenMiddleware(secret: secret))
    router.addJSONRPC(methods, configuration: configuration, logger: logger)
    return try await withLiveRouter(router, body)
}

/// Runs `router` on 127.0.0.1 port 0, calls `body` with the base URL, then stops the server.
@discardableResult
func withLiveRouter<T>(_ router: Router<BasicRequestContext>, _ body: (String) async throws -> T) async throws -> T {
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    var serverLogger = Logger(label: "jsonrpc-test-server")
    serverLogger.logLevel = .critical
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: serverLogger
    )
    return try await runGracefully(app, ports: ports, logger: serverLogger) { port in try await body("http://127.0.0.1:\(port)") }
}


/// A fresh directory under the system temporary directory.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "jsonrpc-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// What a raw HTTP exchange returned, for checking exact wire bytes.
struct RawResponse {
    let status: UInt
    let headers: [(String, String)]
    let body: String

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The body parsed as JSON, or a string saying it is not JSON, so a check on it fails visibly.
    var json: JSONValue {
        (try? JSONValue(parsing: body)) ?? .string("<not JSON: \(body)>")
    }
}

/// Sends one request with AsyncHTTPClient and returns status, headers and body text.
func rawRequest(
    _ url: String,
    method: String = "GET",
    headers: [(String, String)] = [],
    body: String? = nil
) async throws -> RawResponse {
    var request = HTTPClientRequest(url: url)
    request.method = .init(rawValue: method)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return RawResponse(
        status: response.status.code,
        headers: response.headers.map { ($0.name, $0.value) },
        body: String(buffer: bytes)
    )
}

/// Percent-encodes `text` for a query string value.
func queryEncoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
}
