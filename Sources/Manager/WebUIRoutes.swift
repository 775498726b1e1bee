import Foundation
import Hummingbird

/// The web page's files (Sources/Manager/WebUI), read once from the bundle.
///
/// Only the regular files directly in WebUI/ with a known type are served, by
/// exact name, so no request path can reach anything else.
struct WebUIFiles: Sendable {
    /// A file's bytes and Content-Type.
    struct File: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    /// The Content-Type of each file extension served; files of other extensions are not served.
    static let contentTypes = [
        "html": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml",
        "png": "image/png",
    ]

    private let files: [String: File]

    /// The files of `directory`; none when it is missing.
    init(directory: URL?) {
        var files: [String: File] = [:]
        let names = directory.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) } ?? []
        for name in names {
            guard let directory, let type = Self.contentTypes[(name as NSString).pathExtension.lowercased()],
                  let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { continue }
            files[name] = File(body: ByteBuffer(bytes: data), contentType: type)
        }
        self.files = files
    }

    /// The file called `name`, if it is one of the page's files.
    func file(named name: String) -> File? {
        files[name]
    }
}

extension Router {
    /// Serves the operator's web page at `/ui/` (`/ui` redirects there).
    ///
    /// The page is static and holds no secrets; it calls the JSON-RPC API at
    /// `/`, which asks for the token when the manager has one. Add this before
    /// the token middleware so the page itself loads without a token.
    func addWebUI() {
        let webUI = WebUIFiles(directory: Bundle.module.url(forResource: "WebUI", withExtension: nil))
        get("/ui") { request, _ in
            // "/ui" and "/ui/" reach the same route: only the first is redirected.
            guard request.uri.path.hasSuffix("/") else {
                return Response(status: .movedPermanently, headers: [.location: "/ui/"])
            }
            return Self.response(webUI.file(named: "index.html"))
        }
        get("/ui/{name}") { _, context in
            Self.response(webUI.file(named: context.parameters.get("name") ?? ""))
        }
    }

    private static func response(_ file: WebUIFiles.File?) -> Response {
        guard let file else {
            return Response(
                status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "Not found\n")))
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: file.contentType, .cacheControl: "no-cache", .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
            ],
            body: ResponseBody(byteBuffer: file.body))
    }
}
