import Foundation
import JSONRPC
import Testing

@Suite("UPLOAD (multipart/form-data)")
struct UploadTests {
    /// Writes `content` to a fresh file and returns its path.
    private func makeFile(_ content: String) throws -> String {
        let path = temporaryDirectory() + "/dump.sql"
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func files(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    @Test("a file is streamed to disk; the handler sees it, and it is gone afterwards")
    func upload() async throws {
        let uploads = UploadRecorder()
        let directory = temporaryDirectory()
        let content = "CREATE TABLE t (id INT);\r\n--not-a-boundary\r\n" + String(repeating: "INSERT INTO t VALUES (1);\n", count: 5000)
        let path = try makeFile(content)
        try await withLiveServer(testMethods(uploads: uploads), configuration: .init(uploadDirectory: directory)) { base in
            let client = RPCClient(baseURL: base)
            let result = try await client.upload("send_mysqldump", params: ["serviceNodeId": "all"], fileField: "mysqldump", filePath: path)
            #expect(result == ["size": .int(content.utf8.count), "node": "all"])
        }
        let seen = try #require(uploads.uploads.first)
        #expect(seen.content == content)
        #expect(seen.file.size == Int64(content.utf8.count))
        #expect(seen.file.filename == "dump.sql")
        #expect(seen.file.field == "mysqldump")
        #expect(seen.file.path.hasPrefix(directory + "/"))
        #expect(seen.params == ["serviceNodeId": "all"])
        #expect(!FileManager.default.fileExists(atPath: seen.file.path))
        #expect(files(in: directory).isEmpty)
    }

    @Test("fields may come in any order; the client filename never becomes the path")
    func rawMultipart() async throws {
        let uploads = UploadRecorder()
        let directory = temporaryDirectory()
        try await withLiveServer(testMethods(uploads: uploads), configuration: .init(uploadDirectory: directory)) { base in
            let body = [
                "--XyZ", #"Content-Disposition: form-data; name="mysqldump"; filename="../../etc/passwd""#,
                "Content-Type: application/octet-stream", "", "SELECT 1;",
                "--XyZ", #"Content-Disposition: form-data; name="serviceNodeId""#, "", "3",
                "--XyZ", #"Content-Disposition: form-data; name="method""#, "", "send_mysqldump",
                "--XyZ--", "",
            ].joined(separator: "\r\n")
            let response = try await rawRequest(
                base, method: "POST", headers: [("Content-Type", "multipart/form-data; boundary=XyZ")], body: body
            )
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.body == #"{"error":null,"id":null,"result":{"node":"3","size":9}}"#)
        }
        let seen = try #require(uploads.uploads.first)
        #expect(seen.content == "SELECT 1;")
        #expect(seen.file.filename == "../../etc/passwd")
        #expect(seen.file.path.hasPrefix(directory + "/upload-"))
        #expect(files(in: directory).isEmpty)
    }

    @Test("an upload over the limit is refused while streaming: partial file removed, handler not called")
    func overLimit() async throws {
        let uploads = UploadRecorder()
        let directory = temporaryDirectory()
        let path = try makeFile(String(repeating: "x", count: 300_000))
        let configuration = RPCServerConfiguration(uploadDirectory: directory, maxUploadBytes: 1000)
        try await withLiveServer(testMethods(uploads: uploads), configuration: configuration) { base in
            let client = RPCClient(baseURL: base)
            await #expect(throws: RPCError.failed("Invalid argument: mysqldump DETAIL:upload larger than 1000 bytes")) {
                try await client.upload("send_mysqldump", fileField: "mysqldump", filePath: path)
            }
        }
        #expect(uploads.uploads.isEmpty)
        #expect(files(in: directory).isEmpty)
    }

    @Test("the file is removed when the handler throws too")
    func handlerThrows() async throws {
        let uploads = UploadRecorder()
        let directory = temporaryDirectory()
        let path = try makeFile("dump")
        try await withLiveServer(testMethods(uploads: uploads), configuration: .init(uploadDirectory: directory)) { base in
            await #expect(throws: RPCError.failed("dump rejected")) {
                try await RPCClient(baseURL: base).upload("reject_dump", fileField: "mysqldump", filePath: path)
            }
        }
        let seen = try #require(uploads.uploads.first)
        #expect(!FileManager.default.fileExists(atPath: seen.file.path))
        #expect(files(in: directory).isEmpty)
    }

    @Test("bad uploads are JSON errors and leave no file", arguments: [
        ("send_mysqldump", "B", "--B", 400, "Invalid request: malformed multipart/form-data body"),
        ("", "B", "--B--\r\n", 400, "Did not specify method"),
        ("echo", "B", "--B--\r\n", 404, "method not found"),
        ("send_mysqldump", "", "--B--\r\n", 400, "Invalid request: multipart/form-data without a usable boundary"),
    ] as [(String, String, String, UInt, String)])
    func badUploads(method: String, boundary: String, ending: String, status: UInt, message: String) async throws {
        let directory = temporaryDirectory()
        try await withLiveServer(testMethods(), configuration: .init(uploadDirectory: directory)) { base in
            var parts = ["--B", #"Content-Disposition: form-data; name="mysqldump"; filename="a""#, "", "data"]
            if !method.isEmpty { parts += ["--B", #"Content-Disposition: form-data; name="method""#, "", method] }
            let response = try await rawRequest(
                base, method: "POST", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")],
                body: parts.joined(separator: "\r\n") + "\r\n" + ending
            )
            #expect(response.status == status)
            #expect(response.json == ["error": .string(message), "id": nil])
        }
        #expect(files(in: directory).isEmpty)
    }
}

@Suite("UPLOAD hostile input")
struct UploadHostileInputTests {
    @Test("non-ASCII bytes in a part header name are a 400, not a crash")
    func nonASCIIHeaderName() async throws {
        let directory = temporaryDirectory()
        try await withLiveServer(testMethods(), configuration: .init(uploadDirectory: directory)) { base in
            let body = "--B\r\nN\u{e9}me: x\r\n\r\nbody\r\n--B--\r\n"
            let response = try await rawRequest(
                base, method: "POST", headers: [("Content-Type", "multipart/form-data; boundary=B")], body: body
            )
            #expect(response.status == 400)
            #expect(response.json == ["error": "Invalid request: malformed multipart/form-data body", "id": nil])
        }
    }
}
