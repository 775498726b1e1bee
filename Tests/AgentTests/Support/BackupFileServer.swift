import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A stand-in for the manager's `GET /backup-files/PATH`: serves the files under
/// a directory to agents restoring a backup, and answers their `register_node`.
final class BackupFileServer: Sendable {
    let url: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `directory` on `address`, port 50000, and waits until it listens.
    init(address: String, directory: String) async throws {
        var logger = Logger(label: "test.backup-files")
        logger.logLevel = .warning
        let router = Router()
        router.get("/backup-files/**") { _, context -> Response in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(path)") else { return Response(status: .notFound) }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"result": {"result": "OK"}, "error": null, "id": 1}"#)))
        }
        let (listening, listened) = AsyncStream<Void>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname(address, port: 50000)),
            onServerRunning: { _ in listened.yield() }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        self.group = group
        self.task = Task { try await group.run() }
        self.url = "http://\(address):50000"
        for await _ in listening { break }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
