import Foundation

/// libFuzzer target: every input is read the two ways a JSON-RPC request
/// reaches the server, as a GET query string and as a POST body (ConPaaS or
/// 2.0, single or batch), down to the typed params a handler asks for.
///
/// Beyond "no crash", it checks that every JSON value read writes back as text
/// that reads as the same value: ids and params are echoed in answers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRPCRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    RequestFuzz.query(String(decoding: bytes, as: UTF8.self))
    RequestFuzz.body(bytes)
    return 0
}

/// The request decoding steps of `RPCEndpoint`, without the HTTP server.
enum RequestFuzz {
    /// `RPCEndpoint.get`: the query string, then the ConPaaS GET envelope.
    static func query(_ text: String) {
        guard let pairs = FormURLEncoded.decode(text) else { return }
        if let call = try? RPCCall.conpaas(query: pairs) { inspect(call) }
    }

    /// `RPCEndpoint.postJSON`: the body as JSON, then its envelope(s).
    static func body(_ bytes: [UInt8]) {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            _ = "Parse error: \(error)"
            return
        }
        checkRoundTrip(document)
        switch document {
        case .array(let requests):
            for request in requests { jsonRPC2(request) }
        case .object(let envelope) where RPCCall.isJSONRPC2(envelope):
            jsonRPC2(document)
        case .object(let envelope):
            if let call = try? RPCCall.conpaas(envelope: envelope) { inspect(call) }
        default:
            break
        }
    }

    private static func jsonRPC2(_ request: JSONValue) {
        do {
            inspect(try RPCCall.jsonRPC2(request: request))
        } catch {
            checkRoundTrip(error.id)
        }
    }

    /// Asks for every param in every typed form a handler may use.
    private static func inspect(_ call: RPCCall) {
        checkRoundTrip(call.id)
        let params = call.params
        for name in params.values.keys {
            _ = try? params.string(name)
            _ = try? params.int(name)
            _ = try? params.bool(name)
            _ = try? params.object(name)
            _ = try? params.optionalInt(name)
        }
        _ = try? params.expectOnly(["name", "password", "count"])
    }

    /// Traps when `value` written as JSON text does not read back as `value`.
    private static func checkRoundTrip(_ value: JSONValue) {
        let text = value.description
        guard let reread = try? JSONValue(parsing: text) else {
            fatalError("written JSON does not parse: \(text)")
        }
        guard reread == value else { fatalError("JSON round trip changed \(value) into \(reread)") }
    }
}
