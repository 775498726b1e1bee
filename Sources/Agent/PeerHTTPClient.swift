import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The HTTP client for calls to other agents and to the manager. Unlike
/// `HTTPClient.shared`, which keeps retrying a refused connection until the
/// whole call times out, it gives up connecting after a few seconds, so an
/// unreachable peer is reported promptly.
enum PeerHTTPClient {
    static let shared = HTTPClient(
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3))))
}
