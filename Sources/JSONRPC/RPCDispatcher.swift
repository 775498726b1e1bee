import Logging

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
    func run(_ call: RPCCall) async -> RPCOutcome {
        var logger = logger
        logger[metadataKey: "rpc.method"] = .string(call.method)
        guard let entry = methods.entry(named: call.method, callableAs: call.callableKinds) else {
            logger.debug("RPC call to an unknown method or with the wrong kind")
            return .methodNotFound
        }
        logger.debug("RPC call", metadata: ["rpc.kind": .string(entry.kind.rawValue)])
        do {
            return .result(try await entry.handler(call.params))
        } catch let error as RPCError {
            logger.debug("RPC call refused", metadata: ["rpc.error": .string(error.message)])
            return .failure(error)
        } catch {
            logger.error("RPC handler failed", metadata: ["rpc.error": .string(String(describing: error))])
            return .failure(.unknown)
        }
    }
}
