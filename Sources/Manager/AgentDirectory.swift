import AsyncHTTPClient
import ConPaaSCore
import JSONRPC
import NIOCore
import NIOPosix

/// Clients for the service's agents, authenticated with the service secret.
struct AgentDirectory: Sendable, CustomStringConvertible {
    let secret: String
    let agentPort: Int
    let httpClient: HTTPClient

    /// Without the secret: this value may end up in a log.
    var description: String { "AgentDirectory(port: \(agentPort))" }

    /// The client of the agent at `address`; `timeout` bounds each call.
    func client(for address: String, timeout: Duration = .seconds(30)) -> RPCClient {
        let host = address.contains(":") ? "[\(address)]" : address
        return RPCClient(baseURL: "http://\(host):\(agentPort)", token: secret, httpClient: httpClient, timeout: timeout)
    }

    /// The agent's status (`get_server_state`'s `return`), asked with `timeout`.
    func status(at address: String, timeout: Duration = .seconds(10)) async throws -> AgentStatus {
        let answer = try await client(for: address, timeout: timeout).call("get_server_state", kind: .get)["return"] ?? .null
        do {
            return try answer.decode(AgentStatus.self)
        } catch {
            throw RPCError.failed("the agent at \(address) answered a status that cannot be read: \(error)")
        }
    }

    /// Points the agent at `address` at the master on `masterHost` (`follow_master`, with
    /// the service's `epoch`), demoting it first when it still calls itself master.
    func followMaster(at address: String, masterHost: String, epoch: Int, demote: Bool) async throws {
        _ = try await client(for: address, timeout: .seconds(60)).call("follow_master", params: [
            "epoch": .int(epoch), "master_host": .string(masterHost), "demote": .bool(demote),
        ])
    }

    /// The HTTP client for agents: it gives up connecting after a few seconds (an
    /// agent that is down is reported at once, not after the whole call's timeout).
    /// Process-wide, like `HTTPClient.shared`, so it never needs shutting down.
    static let sharedHTTPClient = HTTPClient(
        eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3))))
}
