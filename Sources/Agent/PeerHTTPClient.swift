import AsyncHTTPClient
import JSONRPC
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

    /// GETs a stream (`what` names it in errors) from a peer holding the service
    /// `secret`; answers the response once its status is 200, else throws with
    /// the peer's reason.
    static func fetch(_ url: String, secret: String, what: String, timeout: TimeAmount) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(secret)")
        let response: HTTPClientResponse
        do {
            response = try await shared.execute(request, timeout: timeout)
        } catch {
            throw AgentError.replicationFailed("cannot fetch \(what) from \(url): \(error)")
        }
        guard response.status == .ok else {
            let reason = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0).trimmingWhitespace() } ?? ""
            throw AgentError.replicationFailed("\(url) refused \(what): HTTP \(response.status.code) \(reason)")
        }
        return response
    }
}
