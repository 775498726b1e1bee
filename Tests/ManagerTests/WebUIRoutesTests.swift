import AsyncHTTPClient
import Foundation
import JSONRPC
import Testing

/// The web page's files as the manager serves them at /ui/.
@Suite("Web page routes", .serialized)
struct WebUIRoutesTests {
    @Test("/ui redirects to /ui/; each file has its Content-Type; nothing outside WebUI/ is reachable; the page loads without the token the API needs")
    func routes() async throws {
        try await TestManager.withToken { manager, _ in
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            defer { _ = client.shutdown() }
            func fetch(_ path: String) async throws -> (status: UInt, headers: [String: String], body: String) {
                let response = try await client.execute(HTTPClientRequest(url: manager.url + path), timeout: .seconds(10))
                let body = try await response.body.collect(upTo: 1 << 20)
                let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }) { first, _ in first }
                return (response.status.code, headers, String(buffer: body))
            }

            let redirect = try await fetch("/ui")
            #expect(redirect.status == 301)
            #expect(redirect.headers["location"] == "/ui/")
            let page = try await fetch("/ui/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.body.contains("<title>ConPaaS SQL</title>"))
            #expect(page.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            let types = ["app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                         "index.html": "text/html; charset=utf-8", "icon.svg": "image/svg+xml"]
            for (file, type) in types {
                let answer = try await fetch("/ui/\(file)")
                #expect(answer.status == 200, "\(file)")
                #expect(answer.headers["content-type"] == type, "\(file)")
            }
            for path in ["/ui/nope.js", "/ui/..%2FWebUIRoutes.swift", "/ui/%2E%2E%2F%2E%2E%2FPackage.swift", "/ui/WebUI", "/ui/.%2Findex.html"] {
                #expect(try await fetch(path).status == 404, "\(path)")
            }
            let api = try await fetch("/?method=get_service_info")
            #expect(api.status == 401)
        }
    }
}
