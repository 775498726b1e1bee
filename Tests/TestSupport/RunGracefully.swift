import Hummingbird
import Logging
import ServiceLifecycle

/// Runs `app` until `body` (given the port it reported on `ports`) is done,
/// then stops it with a graceful shutdown, never by cancelling it: a cancelled
/// server can drop a just-accepted connection, which NIO traps on.
public func runGracefully<T>(
    _ app: some ApplicationProtocol, ports: AsyncStream<Int>,
    logger: Logger = Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (Int) async throws -> T
) async throws -> T {
    let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        let outcome: Result<T, any Error>
        if let port = await ports.first(where: { _ in true }), port > 0 {
            do {
                outcome = .success(try await body(port))
            } catch {
                outcome = .failure(error)
            }
        } else {
            outcome = .failure(TestFailure("the server did not report a port"))
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try outcome.get()
    }
}
