import CXMLRPC
import NIOPosix

/// xmlrpc-c, loaded at the first call (see CXMLRPC.h), with its process-wide
/// set-up (curl's global init) done once and the size limit for answers raised.
/// Written once, then only read: hence `nonisolated(unsafe)` for the C struct.
private let xmlrpcLibrary: Result<cxmlrpc_functions, OpenNebulaError> = {
    var failure: UnsafePointer<CChar>?
    guard let loaded = cxmlrpc_load(&failure) else {
        return .failure(OpenNebulaError(.transport, message: "cannot load xmlrpc-c: \(failure.map { String(cString: $0) } ?? "unknown error")"))
    }
    let xmlrpc = loaded.pointee
    var env = xmlrpc_env()
    xmlrpc.env_init(&env)
    defer { xmlrpc.env_clean(&env) }
    xmlrpc.client_setup_global_const(&env)
    if env.fault_occurred != 0 {
        let message = env.fault_string.map { String(cString: $0) } ?? "unknown error"
        return .failure(OpenNebulaError(.transport, message: "xmlrpc-c set-up failed: \(message)"))
    }
    // A VM pool of a few thousand VMs is larger than xmlrpc-c's 512 KiB default.
    xmlrpc.limit_set(XMLRPC_XML_SIZE_LIMIT_ID, XMLRPCTransport.maximumAnswerBytes)
    return .success(xmlrpc)
}()

/// Blocking XML-RPC calls through xmlrpc-c's client with the curl transport,
/// each run on a `NIOThreadPool` thread, never on Swift's cooperative pool.
///
/// Every call uses its own xmlrpc-c client, so calls never share C state.
struct XMLRPCTransport: Sendable {
    /// The largest answer accepted (xmlrpc-c's XML size limit, process-wide).
    static let maximumAnswerBytes = 64 << 20

    /// `http://HOST:2633/RPC2`.
    let endpoint: String
    /// The whole call's time limit (curl's timeout).
    let timeout: Duration
    let threadPool: NIOThreadPool

    /// Calls `method` with `params`; faults, timeouts and transport failures
    /// become ``OpenNebulaError``s.
    func call(_ method: String, _ params: [XMLRPCValue]) async throws(OpenNebulaError) -> XMLRPCValue {
        let endpoint = endpoint
        let milliseconds = UInt32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        do {
            return try await threadPool.runIfActive {
                try Self.blockingCall(endpoint: endpoint, method: method, params: params, timeoutMilliseconds: milliseconds)
            }
        } catch let error as OpenNebulaError {
            throw error
        } catch {
            throw OpenNebulaError(.transport, message: "cannot run the call: \(error)")
        }
    }

    private static func blockingCall(
        endpoint: String, method: String, params: [XMLRPCValue], timeoutMilliseconds: UInt32
    ) throws(OpenNebulaError) -> XMLRPCValue {
        let xmlrpc = try xmlrpcLibrary.get()
        var env = xmlrpc_env()
        xmlrpc.env_init(&env)
        defer { xmlrpc.env_clean(&env) }

        let client = try makeClient(xmlrpc, &env, timeoutMilliseconds: max(1, timeoutMilliseconds))
        defer { xmlrpc.client_destroy(client) }
        let server = xmlrpc.server_info_new(&env, endpoint)
        try failure(&env)
        defer { xmlrpc.server_info_free(server) }
        let paramArray = try XMLRPCValue.array(params).makeC(xmlrpc, &env)
        defer { xmlrpc.DECREF(paramArray) }

        var result: OpaquePointer?
        xmlrpc.client_call2(&env, client, server, method, paramArray, &result)
        try failure(&env)
        guard let result else { throw OpenNebulaError(.invalidResponse, message: "\(method) returned nothing") }
        defer { xmlrpc.DECREF(result) }
        return try XMLRPCValue(reading: result, xmlrpc, &env)
    }

    private static func makeClient(
        _ xmlrpc: cxmlrpc_functions, _ env: inout xmlrpc_env, timeoutMilliseconds: UInt32
    ) throws(OpenNebulaError) -> OpaquePointer {
        var curlParameters = xmlrpc_curl_xportparms()
        curlParameters.timeout = timeoutMilliseconds
        var client: OpaquePointer?
        withUnsafePointer(to: &curlParameters) { curlPointer in
            "curl".withCString { transportName in
                var parameters = xmlrpc_clientparms()
                parameters.transport = transportName
                parameters.transportparmsP = UnsafeRawPointer(curlPointer)
                parameters.transportparm_size = MemoryLayout<xmlrpc_curl_xportparms>.size
                xmlrpc.client_create(
                    &env, 0, "conpaassql", "1.0", &parameters,
                    UInt32(MemoryLayout<xmlrpc_clientparms>.size), &client)
            }
        }
        try failure(&env)
        guard let client else { throw OpenNebulaError(.transport, message: "xmlrpc-c could not create a client") }
        return client
    }

    /// Throws what a fault recorded by xmlrpc-c stands for.
    private static func failure(_ env: inout xmlrpc_env) throws(OpenNebulaError) {
        guard env.fault_occurred != 0 else { return }
        let message = env.fault_string.map { String(cString: $0) } ?? "unknown error"
        throw classify(faultCode: Int(env.fault_code), message: message)
    }

    /// Network errors (-504, with curl's explanation) are transport failures or
    /// timeouts; -505 is a timeout; -509 an answer over the size limit; every
    /// other code is a fault, from the server or from parsing its answer.
    static func classify(faultCode: Int, message: String) -> OpenNebulaError {
        switch faultCode {
        case Int(XMLRPC_TIMEOUT_ERROR):
            return OpenNebulaError(.timeout, code: faultCode, message: message)
        case Int(XMLRPC_NETWORK_ERROR):
            let timedOut = message.localizedCaseInsensitiveContains("timed out") || message.contains("Timeout was reached")
            return OpenNebulaError(timedOut ? .timeout : .transport, code: faultCode, message: message)
        case Int(XMLRPC_LIMIT_EXCEEDED_ERROR):
            return OpenNebulaError(.invalidResponse, code: faultCode, message: message)
        default:
            return OpenNebulaError(.fault, code: faultCode, message: message)
        }
    }
}
