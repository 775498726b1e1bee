import Hummingbird

/// Refuses requests without the right secret: `Authorization: Bearer <secret>` or `X-Auth-Token: <secret>`.
///
/// A refused request gets 401 with `WWW-Authenticate: Bearer` and the JSON
/// body `{"error": "Unauthorized: missing or invalid token", "id": null}`.
/// The comparison takes the same time wherever the tokens differ. A nil
/// secret lets every request through.
public struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    private let secrets: [[UInt8]]?

    /// A middleware that requires `secret`, or checks nothing when it is nil.
    public init(secret: String?) {
        self.secrets = secret.map { [Array($0.utf8)] }
    }

    /// A middleware that accepts any one of `secrets` (for example a user token
    /// and the service secret agents present).
    public init(acceptingAnyOf secrets: [String]) {
        self.secrets = secrets.map { Array($0.utf8) }
    }

    /// Passes the request on when it carries the secret; answers 401 otherwise.
    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let secrets else { return try await next(request, context) }
        let offered = Self.offeredTokens(in: request.headers)
        let accepted = offered.contains { token in secrets.contains { Self.constantTimeEquals(token, $0) } }
        guard accepted else {
            var reply = RPCReply.conpaasError(.unauthorized, RPCError.unauthorized.message)
            reply.headers[.wwwAuthenticate] = "Bearer"
            return reply.response()
        }
        return try await next(request, context)
    }

    /// The tokens of every `Authorization: Bearer` and `X-Auth-Token` header.
    private static func offeredTokens(in headers: HTTPFields) -> [[UInt8]] {
        let bearer = headers[values: .authorization].compactMap { value -> [UInt8]? in
            let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
            return Array(parts[1].utf8)
        }
        let authTokens = headers.filter { $0.name.canonicalName == "x-auth-token" }.map { Array($0.value.utf8) }
        return bearer + authTokens
    }

    /// Compares without stopping at the first difference; the length of `expected` is not hidden.
    private static func constantTimeEquals(_ offered: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = offered.count == expected.count ? 0 : 1
        for index in expected.indices {
            let byte = index < offered.count ? offered[index] : 0
            difference |= byte ^ expected[index]
        }
        return difference == 0
    }
}
