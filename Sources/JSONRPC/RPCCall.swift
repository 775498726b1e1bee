import FoundationEssentials

/// How a method is called on the wire (PROTOCOL.md "Requests").
public enum RPCMethodKind: String, Sendable, CaseIterable {
    /// `GET /?method=NAME&params=<url-encoded JSON>&id=1`.
    case get = "GET"
    /// `POST /` with a JSON body `{"method", "params", "id"}`.
    case post = "POST"
    /// `POST /` with a `multipart/form-data` body carrying files.
    case upload = "UPLOAD"
}

/// One call read off the wire, ready to run.
struct RPCCall: Sendable {
    /// The response form a call expects.
    enum Dialect: Sendable {
        /// `{"result", "error", "id"}` with HTTP statuses for transport errors (PROTOCOL.md).
        case conpaas
        /// `{"jsonrpc": "2.0", ...}` with error objects, always HTTP 200.
        case jsonRPC2
    }

    let method: String
    let params: RPCParams
    /// The id as sent; `.null` when there was none.
    let id: JSONValue
    /// A 2.0 request without an id: run, but not answered.
    let isNotification: Bool
    let dialect: Dialect
    /// The kinds of registered method this call may reach.
    let callableKinds: Set<RPCMethodKind>
}

/// Why an envelope could not become a call, in the words its dialect uses.
struct RPCEnvelopeError: Error {
    let error: RPCError
    /// The id to answer with, when the envelope had a usable one.
    let id: JSONValue

    static func missingMethod(id: JSONValue) -> RPCEnvelopeError {
        RPCEnvelopeError(error: RPCError(message: "Did not specify method", code: RPCError.Code.invalidRequest), id: id)
    }

    static func invalidRequest(_ detail: String, id: JSONValue = .null) -> RPCEnvelopeError {
        RPCEnvelopeError(error: RPCError(message: "Invalid request: \(detail)", code: RPCError.Code.invalidRequest), id: id)
    }
}

extension RPCCall {
    /// Whether a decoded body asks for JSON-RPC answers: it has a `"jsonrpc"` member,
    /// whatever its value (a version other than `"2.0"` is refused as such, never run
    /// as a ConPaaS call).
    static func isJSONRPC2(_ envelope: [String: JSONValue]) -> Bool {
        envelope["jsonrpc"] != nil
    }

    /// Reads a ConPaaS POST body `{"method", "params", "id"}`; a missing id is answered as null.
    static func conpaas(envelope: [String: JSONValue]) throws(RPCEnvelopeError) -> RPCCall {
        let id = envelope["id"] ?? .null
        guard let methodValue = envelope["method"], methodValue != .null else { throw .missingMethod(id: id) }
        guard let method = methodValue.stringValue else { throw .invalidRequest("\"method\" must be a string", id: id) }
        let params: [String: JSONValue]
        switch envelope["params"] {
        case nil, .null?: params = [:]
        case .object(let members)?: params = members
        default: throw .invalidRequest("\"params\" must be a JSON object", id: id)
        }
        return RPCCall(
            method: method, params: RPCParams(params), id: id,
            isNotification: false, dialect: .conpaas, callableKinds: [.post]
        )
    }

    /// Reads a ConPaaS GET query: `method`, `params` (url-encoded JSON object, absent = {}), `id`.
    static func conpaas(query: [String: String]) throws(RPCEnvelopeError) -> RPCCall {
        let id = query["id"].map(JSONValue.string) ?? .null
        guard let method = query["method"], !method.isEmpty else { throw .missingMethod(id: id) }
        var params: [String: JSONValue] = [:]
        if let text = query["params"] {
            let parsed: JSONValue
            do {
                parsed = try JSONValue(parsing: text)
            } catch {
                throw .invalidRequest("\"params\" is not JSON: \(error)", id: id)
            }
            guard let members = parsed.objectValue else { throw .invalidRequest("\"params\" must be a JSON object", id: id) }
            params = members
        }
        return RPCCall(
            method: method, params: RPCParams(params), id: id,
            isNotification: false, dialect: .conpaas, callableKinds: [.get]
        )
    }

    /// Reads an UPLOAD form: the `method` field names the method, other fields and files are params.
    static func upload(fields: [String: String], files: [String: UploadedFile]) throws(RPCEnvelopeError) -> RPCCall {
        guard let method = fields["method"], !method.isEmpty else { throw .missingMethod(id: .null) }
        var params = fields.mapValues(JSONValue.string)
        params.removeValue(forKey: "method")
        return RPCCall(
            method: method, params: RPCParams(params, files: files), id: .null,
            isNotification: false, dialect: .conpaas, callableKinds: [.upload]
        )
    }

    /// Reads one JSON-RPC 2.0 request object (also one element of a batch).
    ///
    /// 2.0 requests come as POST bodies, so they may reach both GET and POST methods.
    static func jsonRPC2(request: JSONValue) throws(RPCEnvelopeError) -> RPCCall {
        guard let envelope = request.objectValue, isJSONRPC2(envelope) else {
            throw .invalidRequest("expected an object with \"jsonrpc\": \"2.0\"")
        }
        let idValue = envelope["id"]
        switch idValue {
        case nil, .null?, .string?, .int?, .double?: break
        default: throw .invalidRequest("\"id\" must be a string, a number or null")
        }
        let id = idValue ?? .null
        guard envelope["jsonrpc"] == "2.0" else { throw .invalidRequest("\"jsonrpc\" must be \"2.0\"", id: id) }
        guard let method = envelope["method"]?.stringValue else {
            throw .invalidRequest("\"method\" must be a string", id: id)
        }
        let params: [String: JSONValue]
        switch envelope["params"] {
        case nil: params = [:]
        case .object(let members)?: params = members
        case .array?:
            throw RPCEnvelopeError(
                error: RPCError(message: "Invalid params: params must be named (a JSON object)", code: RPCError.Code.invalidParams),
                id: id
            )
        default: throw .invalidRequest("\"params\" must be a JSON object", id: id)
        }
        return RPCCall(
            method: method, params: RPCParams(params), id: id,
            isNotification: !envelope.keys.contains("id"), dialect: .jsonRPC2, callableKinds: [.get, .post]
        )
    }
}

/// Reading `application/x-www-form-urlencoded` text, as in a GET query string.
enum FormURLEncoded {
    /// The pairs of `query`, `+` read as a space; the first of a repeated name wins,
    /// as in the original service. Nil when a percent escape is malformed.
    static func decode(_ query: String) -> [String: String]? {
        var pairs: [String: String] = [:]
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(halves[0]), let value = unescape(halves.count > 1 ? halves[1] : "") else {
                return nil
            }
            if pairs[name] == nil { pairs[name] = value }
        }
        return pairs
    }

    /// `text` with `+` as a space and `%XX` escapes decoded; nil when an escape is
    /// malformed or the bytes are not UTF-8.
    private static func unescape(_ text: Substring) -> String? {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var input = text.utf8.makeIterator()
        while let byte = input.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = input.next().flatMap(hexDigit), let low = input.next().flatMap(hexDigit) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
