import Logging

/// The table of methods a server offers.
///
/// Each name is registered for one kind; calling it with another kind is
/// "method not found", as in the original ConPaaS service.
public struct RPCMethods: Sendable {
    /// Answers one call: returns the `result`, or throws (`RPCError` to show its message).
    public typealias Handler = @Sendable (RPCParams) async throws -> JSONValue

    struct Entry: Sendable {
        let kind: RPCMethodKind
        let handler: Handler
    }

    private var entries: [String: Entry] = [:]

    /// An empty table.
    public init() {}

    /// Registers `handler` under `name` for calls of `kind`, replacing any earlier registration of `name`.
    public mutating func register(_ name: String, kind: RPCMethodKind, _ handler: @escaping Handler) {
        entries[name] = Entry(kind: kind, handler: handler)
    }

    /// The registered method names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The kind `name` is registered for, if it is registered.
    public func kind(of name: String) -> RPCMethodKind? { entries[name]?.kind }

    /// The entry for `name` if it is registered for one of `kinds`.
    func entry(named name: String, callableAs kinds: Set<RPCMethodKind>) -> Entry? {
        guard let entry = entries[name], kinds.contains(entry.kind) else { return nil }
        return entry
    }
}

/// What running a call came to.
enum RPCOutcome: Sendable, Equatable {
    /// The handler returned this `result`.
    case result(JSONValue)
    /// The handler threw; the error the caller sees.
    case failure(RPCError)
    /// No method of that name for that kind of call.
    case methodNotFound
}

/// Runs calls against a method table, logging each one without its params.
struct RPCDispatcher: Sendable {
    let methods: RPCMethods
    let logger: Logger

    /// Runs `call`; never throws: a handler's non-`RPCError` failure is logged and becomes "Unknown error.".
    ///
    /// Metadata is built only for messages the log level lets through (no copy of the logger per call).
    func run(_ call: RPCCall) async -> RPCOutcome {
        let method = Logger.MetadataValue.string(call.method)
        guard let entry = methods.entry(named: call.method, callableAs: call.callableKinds) else {
            logger.debug("RPC call to an unknown method or with the wrong kind", metadata: ["rpc.method": method])
            return .methodNotFound
        }
        logger.debug("RPC call", metadata: ["rpc.method": method, "rpc.kind": .string(entry.kind.rawValue)])
        do {
            return .result(try await entry.handler(call.params))
        } catch let error as RPCError {
            logger.debug("RPC call refused", metadata: ["rpc.method": method, "rpc.error": .string(error.message)])
            return .failure(error)
        } catch {
            logger.error("RPC handler failed", metadata: ["rpc.method": method, "rpc.error": .string(String(describing: error))])
            return .failure(.unknown)
        }
    }
}
