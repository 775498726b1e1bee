import AsyncHTTPClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A call that did not get a JSON-RPC answer: the server could not be reached,
/// took too long, or answered with something that is not ConPaaS JSON-RPC.
///
/// An answer carrying an `error` is not this: it is thrown as `RPCError`.
public struct RPCClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that retry some failures and not others.
    public enum Kind: Sendable, Equatable {
        /// No connection or the connection broke.
        case unreachable
        /// No complete answer within the timeout.
        case timeout
        /// An answer that is not a JSON-RPC response.
        case invalidResponse
        /// The call could not be sent as asked (for example an unreadable upload file).
        case invalidRequest
    }

    /// What went wrong.
    public let kind: Kind
    /// A sentence for logs, e.g. "cannot reach http://127.0.0.1:60000: connection refused".
    public let message: String

    /// An error of `kind` described by `message`.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Describes an AsyncHTTPClient or NIO failure to talk to `url`.
    static func transport(_ error: any Error, url: String) -> RPCClientError {
        let timeouts: [HTTPClientError] = [
            .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
        ]
        if let clientError = error as? HTTPClientError, timeouts.contains(clientError) {
            return RPCClientError(kind: .timeout, message: "no answer from \(url) in time: \(clientError)")
        }
        return RPCClientError(kind: .unreachable, message: "cannot reach \(url): \(reason(error))")
    }

    private static func reason(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return ioError.errnoCode == ECONNREFUSED ? "connection refused" : String(describing: ioError)
        }
        return String(describing: error)
    }
}
