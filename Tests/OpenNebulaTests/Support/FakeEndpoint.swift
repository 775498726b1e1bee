import Foundation
import Hummingbird
import NIOCore
import TestSupport

/// An HTTP server on 127.0.0.1 that answers `one.system.version` properly and
/// every other call with `answer`, for garbage the simulator never sends.
func withFakeEndpoint<T>(answering answer: String, _ body: (String) async throws -> T) async throws -> T {
    let router = Router()
    router.post("/RPC2") { request, _ -> Response in
        let call = String(buffer: try await request.body.collect(upTo: 1 << 20))
        let text = call.contains("one.system.version")
            ? "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value><string>6.10.0</string></value><value><i4>0</i4></value></data></array></value></param></params></methodResponse>"
            : answer
        return Response(status: .ok, headers: [.contentType: "text/xml"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: quietLogger)
    return try await runGracefully(app, ports: ports) { port in try await body("http://127.0.0.1:\(port)/RPC2") }
}
