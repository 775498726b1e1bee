import NIOPosix
import ServiceLifecycle

/// Keeps a thread pool alive for the life of the service group and shuts it
/// down at the end. List it first: the group stops services in reverse order.
struct ThreadPoolService: Service {
    let threadPool: NIOThreadPool

    func run() async throws {
        try? await gracefulShutdown()
        try await threadPool.shutdownGracefully()
    }
}
