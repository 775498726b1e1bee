/// How a method is called on the wire (PROTOCOL.md "Requests").
public enum RPCMethodKind: String, Sendable, CaseIterable {
    /// `GET /?method=NAME&params=<url-encoded JSON>&id=1`.
    case get = "GET"
    /// `POST /` with a JSON body `{"method", "params", "id"}`.
    case post = "POST"
    /// `POST /` with a `multipart/form-data` body carrying files.
    case upload = "UPLOAD"
}

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

/// Limits and behaviour of the JSON-RPC endpoint.
public struct RPCServerConfiguration: Sendable {
    /// Where UPLOAD files are streamed; created if missing.
    public var uploadDirectory: String
    /// The most bytes of files one UPLOAD request may carry (default 1 GiB).
    ///
    /// A larger upload is refused while it streams: the partial file is
    /// removed and the handler is not called.
    public var maxUploadBytes: Int64
    /// The largest JSON body a POST may have (default 4 MiB); also bounds the text fields of an UPLOAD.
    public var maxJSONBodyBytes: Int

    /// A configuration; the limits default to 1 GiB of upload and 4 MiB of JSON.
    public init(uploadDirectory: String, maxUploadBytes: Int64 = 1 << 30, maxJSONBodyBytes: Int = 4 << 20) {
        self.uploadDirectory = uploadDirectory
        self.maxUploadBytes = maxUploadBytes
        self.maxJSONBodyBytes = maxJSONBodyBytes
    }
}
