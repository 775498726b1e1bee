import ArgumentParser
import Foundation
import Hummingbird

/// A Hummingbird server with one route, `GET /`, answering a fixed JSON body:
/// the baseline `scripts/bench-rpc` measures the manager's JSON-RPC against
/// (same framework, same body, nothing else).
@main
struct BareHummingbird: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-bare-hummingbird", abstract: "Answer GET / with a fixed JSON body.")

    @Option(help: "The loopback address to listen on, port 50000 as a manager's.")
    var address = "127.0.0.1"

    @Option(help: "The file whose content every answer carries.")
    var bodyFile: String

    func run() async throws {
        let body = ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: bodyFile)))
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
        }
        let application = Application(
            router: router, configuration: .init(address: .hostname(address, port: 50000), serverName: "bench-bare-hummingbird"))
        try await application.runService()
    }
}
