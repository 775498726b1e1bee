import ArgumentParser
import AsyncHTTPClient
import Foundation
import JSONRPC

/// The options every command takes: which manager, its token, and the output form.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The manager's URL.", valueName: "url"))
    var manager = ProcessInfo.processInfo.environment["CONPAASSQL_MANAGER"] ?? "http://127.0.0.1:50000"

    @Option(help: ArgumentHelp("The token the manager asks for (default: $CONPAASSQL_TOKEN).", valueName: "token"))
    var token: String?

    @Flag(help: "Print the manager's raw result as JSON, for scripts.")
    var json = false

    func validate() throws {
        guard let url = URL(string: manager), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ValidationError("--manager must be a URL like http://127.0.0.1:50000, not \"\(manager)\"")
        }
    }

    /// The token to send: --token, else $CONPAASSQL_TOKEN, else none.
    var effectiveToken: String? {
        token ?? ProcessInfo.processInfo.environment["CONPAASSQL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a client of the manager; failures become ``CLIFailure``s.
    ///
    /// A refused connection fails at once (no retries), so an unreachable
    /// manager is reported in about the connect timeout, not `timeout`.
    func withClient<T>(timeout: Duration = .seconds(60), _ body: (RPCClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5)))
        configuration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let client = RPCClient(baseURL: manager, token: effectiveToken, httpClient: httpClient, timeout: timeout)
        do {
            let result = try await body(client)
            try await httpClient.shutdown()
            return result
        } catch {
            try? await httpClient.shutdown()
            throw CLIFailure.from(error)
        }
    }

    /// Prints `result` as JSON when --json is given, else what `readable` makes of it.
    func show(_ result: JSONValue, readable: (JSONValue) -> String) {
        Console.line(json ? result.description : readable(result))
    }
}
