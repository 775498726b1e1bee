@testable import JSONRPC
import Testing

@Suite("MultipartStreamParser")
struct MultipartStreamParserTests {
    struct Part: Equatable {
        var headers: [String: String]
        var body: String
    }

    /// Feeds `body` in chunks of `chunkSize` bytes and gathers the parts; `ended` tells whether the closing boundary was seen.
    private func parse(_ body: String, boundary: String = "B", chunkSize: Int) throws -> (parts: [Part], ended: Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [Part] = []
        var bytes: [UInt8] = []
        var ended = false
        let input = Array(body.utf8)
        for start in stride(from: 0, to: input.count, by: chunkSize) {
            for event in try parser.parse(input[start..<min(start + chunkSize, input.count)]) {
                switch event {
                case .partStart(let headers): parts.append(Part(headers: headers, body: ""))
                case .body(let chunk): bytes += chunk
                case .partEnd:
                    parts[parts.count - 1].body = String(decoding: bytes, as: UTF8.self)
                    bytes = []
                case .end: ended = true
                }
            }
        }
        return (parts, ended)
    }

    let form = [
        "preamble to ignore", "--B", #"Content-Disposition: form-data; name="method""#, "", "send_mysqldump",
        "--B", #"Content-Disposition: form-data; name="f"; filename="x""#, "Content-Type: text/plain", "",
        "line\r\n--A not a boundary\r\n-", "--B", "", "no headers", "--B--", "epilogue --B to ignore",
    ].joined(separator: "\r\n")

    @Test("the same parts come out however the body is split", arguments: [1, 2, 3, 5, 7, 64, 10_000])
    func splits(chunkSize: Int) throws {
        let (parts, ended) = try parse(form, chunkSize: chunkSize)
        #expect(ended)
        #expect(parts == [
            Part(headers: ["content-disposition": #"form-data; name="method""#], body: "send_mysqldump"),
            Part(
                headers: ["content-disposition": #"form-data; name="f"; filename="x""#, "content-type": "text/plain"],
                body: "line\r\n--A not a boundary\r\n-"
            ),
            Part(headers: [:], body: "no headers"),
        ])
    }

    @Test("a body cut short has no end")
    func truncated() throws {
        let cut = String(form.prefix(120))
        #expect(try parse(cut, chunkSize: 16).ended == false)
    }

    @Test("hostile input is a syntax error, never a crash", arguments: [
        "--B\r\nN\u{e9}me: x\r\n\r\nbody\r\n--B--\r\n",
        "--B\r\n: no name\r\n\r\nbody\r\n--B--\r\n",
        "--B\r\nno colon\r\n\r\nbody\r\n--B--\r\n",
        "--Bjunk\r\n\r\n",
        "--B\r\n" + String(repeating: "X-Long: y\r\n", count: 2000),
        String(repeating: "no boundary here ", count: 5000),
    ])
    func hostile(body: String) {
        #expect(throws: MultipartSyntaxError.self) { try parse(body, chunkSize: 4096) }
    }
}
