import AsyncHTTPClient
import FoundationEssentials
import NIOCore

/// A ConPaaS JSON-RPC client on AsyncHTTPClient.
///
/// An answer with an `error` is thrown as `RPCError.failed(<the server's message>)`;
/// failing to get an answer at all is thrown as `RPCClientError`.
public struct RPCClient: Sendable {
    /// The server, e.g. "http://127.0.1.2:60000"; calls go to its path "/".
    public let baseURL: String
    private let token: String?
    private let httpClient: HTTPClient
    private let timeout: Duration

    /// Answers larger than this are refused rather than read into memory.
    static let maxResponseBytes = 64 << 20

    /// A client for `baseURL` that sends `Authorization: Bearer <token>` when a token is given.
    ///
    /// `timeout` bounds each call from start to the whole answer. An `HTTPClient` that retries
    /// connection establishment (AsyncHTTPClient's default) reports a refused connection only
    /// when the timeout has passed.
    public init(baseURL: String, token: String? = nil, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(30)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Calls `method` and returns its `result`.
    ///
    /// GET sends `?method=&params=<url-encoded JSON>&id=1` with `Content-Type: application/json`;
    /// POST sends the JSON body `{"method", "params", "id": 1}`. UPLOAD methods take `upload(...)`.
    public func call(_ method: String, kind: RPCMethodKind = .post, params: [String: JSONValue] = [:]) async throws -> JSONValue {
        var request: HTTPClientRequest
        switch kind {
        case .get:
            let query = [("method", method), ("params", JSONValue.object(params).description), ("id", "1")]
                .map { "\($0)=\(Self.percentEncoded($1))" }
                .joined(separator: "&")
            request = HTTPClientRequest(url: "\(baseURL)/?\(query)")
            request.method = .GET
        case .post:
            request = HTTPClientRequest(url: "\(baseURL)/")
            request.method = .POST
            let envelope: JSONValue = ["method": .string(method), "params": .object(params), "id": 1]
            request.body = .bytes(ByteBuffer(string: envelope.description))
        case .upload:
            throw RPCClientError(kind: .invalidRequest, message: "\(method) is an UPLOAD method: call it with upload(...)")
        }
        request.headers.add(name: "Content-Type", value: "application/json")
        return try await send(request)
    }

    /// Calls an UPLOAD method: a multipart/form-data POST with the field `method`, each param
    /// as a form field, and the file at `filePath` under `fileField`, streamed from disk.
    public func upload(_ method: String, params: [String: String] = [:], fileField: String, filePath: String) async throws -> JSONValue {
        let fields = [("method", method)] + params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let body = try MultipartUploadBody(fields: fields, fileField: fileField, filePath: filePath)
        var request = HTTPClientRequest(url: "\(baseURL)/")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(body.boundary)")
        request.body = .stream(body, length: .known(body.length))
        return try await send(request)
    }

    private func send(_ request: HTTPClientRequest) async throws -> JSONValue {
        var request = request
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: Self.timeAmount(timeout))
            status = response.status.code
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch let error as RPCClientError {
            throw error
        } catch {
            throw RPCClientError.transport(error, url: baseURL)
        }
        return try Self.result(status: status, body: body)
    }

    /// The `result` of an answer, or its `error` thrown as `RPCError.failed`.
    static func result(status: UInt, body: ByteBuffer) throws -> JSONValue {
        guard let answer = (try? JSONValue(parsing: Array(body.readableBytesView)))?.objectValue else {
            throw RPCClientError(kind: .invalidResponse, message: "HTTP \(status) with a non-JSON body")
        }
        if let error = answer["error"], error != .null {
            throw RPCError.failed(error.stringValue ?? error["message"]?.stringValue ?? error.description)
        }
        guard status == 200, let result = answer["result"] else {
            throw RPCClientError(kind: .invalidResponse, message: "HTTP \(status) with neither result nor error")
        }
        return result
    }

    /// `text` with every UTF-8 byte but RFC 3986's unreserved characters as `%XX`.
    private static func percentEncoded(_ text: String) -> String {
        var encoded: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded.append(contentsOf: [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(min(seconds, 1 << 32) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
