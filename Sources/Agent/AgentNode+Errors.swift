import JSONRPC
import MariaDB

extension AgentNode {
    /// Runs `body`, turning the agent's and MariaDB's errors into RPC errors whose
    /// message the caller sees (anything else becomes "Unknown error.").
    func translatingErrors<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RPCError {
            throw error
        } catch let error as AgentError {
            throw RPCError.failed(error.isServerNotRunning ? "Service in wrong state: \(error.message)" : error.message)
        } catch let error as MariaDBError {
            logger.warning("MariaDB error: \(error)")
            throw RPCError.failed(error.description)
        }
    }

    /// Waits until mariadbd has stopped on request.
    func waitUntilStopped(timeout: Duration = .seconds(90)) async throws {
        guard await supervisor.wait(until: .now + timeout, for: { $0.agentState == .stopped }) else {
            try Task.checkCancellation()
            throw RPCError.failed("MariaDB did not stop within \(timeout)")
        }
    }
}
