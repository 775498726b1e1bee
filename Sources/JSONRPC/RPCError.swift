/// An error a handler throws to answer a call with a message.
///
/// In the ConPaaS form it becomes `{"error": message, "id": id}`; for a
/// `"jsonrpc": "2.0"` request it becomes `{"code": code, "message": message}`.
/// The messages follow the original ConPaaS wording (PROTOCOL.md).
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text the caller sees.
    public let message: String
    /// The JSON-RPC 2.0 error code used in 2.0 responses.
    public let code: Int

    /// An error with any message and code.
    public init(message: String, code: Int) {
        self.message = message
        self.code = code
    }

    /// The message.
    public var description: String { message }

    /// "Missing argument: <name>" (-32602).
    public static func missingArgument(_ name: String) -> RPCError {
        RPCError(message: "Missing argument: \(name)", code: Code.invalidParams)
    }

    /// "Invalid argument: <name> DETAIL:<detail>" (-32602).
    public static func invalidArgument(_ name: String, detail: String) -> RPCError {
        RPCError(message: "Invalid argument: \(name) DETAIL:\(detail)", code: Code.invalidParams)
    }

    /// "Unexpected arguments [a, b]" with the names sorted (-32602).
    public static func unexpectedArguments(_ names: [String]) -> RPCError {
        RPCError(message: "Unexpected arguments [\(names.sorted().joined(separator: ", "))]", code: Code.invalidParams)
    }

    /// "Service in wrong state" (-32001).
    public static let wrongState = RPCError(message: "Service in wrong state", code: Code.wrongState)

    /// "Unknown error." (-32603): what the caller sees when a handler fails with an error that is not an `RPCError`.
    public static let unknown = RPCError(message: "Unknown error.", code: Code.internalError)

    /// An application error with the given text (-32000).
    public static func failed(_ message: String) -> RPCError {
        RPCError(message: message, code: Code.applicationError)
    }

    /// "method not found" (-32601): unknown method, or a method called with the wrong kind.
    public static let methodNotFound = RPCError(message: "method not found", code: Code.methodNotFound)

    /// "Unauthorized: missing or invalid token" (-32002).
    public static let unauthorized = RPCError(message: "Unauthorized: missing or invalid token", code: Code.unauthorized)

    /// The JSON-RPC 2.0 error codes this module uses.
    public enum Code {
        /// The request was not valid JSON.
        public static let parseError = -32700
        /// The JSON was not a valid request object.
        public static let invalidRequest = -32600
        /// No such method for this kind of call.
        public static let methodNotFound = -32601
        /// The params did not suit the method.
        public static let invalidParams = -32602
        /// The handler failed in a way it did not describe.
        public static let internalError = -32603
        /// The handler refused the call with a message of its own.
        public static let applicationError = -32000
        /// The service cannot do this in its current state.
        public static let wrongState = -32001
        /// The request lacked the right token.
        public static let unauthorized = -32002
    }
}
