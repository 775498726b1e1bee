import AsyncHTTPClient
import ConPaaSCore
import JSONRPC
import NIOCore
import NIOPosix

/// Clients for the service's agents, authenticated with the service secret.
struct AgentDirectory: Sendable {
    let secret: String
    let agentPort: Int
    let httpClient: HTTPClient

    /// The client of the agent at `address`; `timeout` bounds each call.
    func client(for address: String, timeout: Duration = .seconds(30)) -> RPCClient {
        let host = address.contains(":") ? "[\(address)]" : address
        return RPCClient(baseURL: "http://\(host):\(agentPort)", token: secret, httpClient: httpClient, timeout: timeout)
    }

    /// The `return` object of the agent's `get_server_state`.
    func serverState(at address: String) async throws -> JSONValue {
        try await client(for: address, timeout: .seconds(10)).call("get_server_state", kind: .get)["return"] ?? .null
    }

    /// An HTTP client that gives up connecting after a few seconds (an agent that
    /// is down is reported at once, not after the whole call's timeout).
    static func makeHTTPClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
            configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3))))
    }
}
