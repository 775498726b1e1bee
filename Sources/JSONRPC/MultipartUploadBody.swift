import FoundationEssentials
import Glibc
import NIOCore
import NIOPosix

/// A `multipart/form-data` request body of text fields and one file, read
/// from disk chunk by chunk as the request is sent.
struct MultipartUploadBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// The boundary for the `Content-Type` header.
    let boundary: String
    /// The exact number of bytes the sequence yields.
    let length: Int64
    private let head: ByteBuffer
    private let tail: ByteBuffer
    private let filePath: String

    /// Fields in the order given, then the file under `fileField`.
    init(fields: [(name: String, value: String)], fileField: String, filePath: String) throws(RPCClientError) {
        var status = stat()
        guard stat(filePath, &status) == 0, access(filePath, R_OK) == 0 else {
            throw RPCClientError(kind: .invalidRequest, message: "cannot read the file to upload: \(filePath)")
        }
        let fileSize = Int64(status.st_size)
        boundary = "conpaas-" + UUID().uuidString.filter { $0 != "-" }
        var head = ""
        for field in fields {
            head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(field.name))\"\r\n\r\n"
            head += field.value + "\r\n"
        }
        let filename = Self.quoted(filePath.split(separator: "/").last.map(String.init) ?? filePath)
        head += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(Self.quoted(fileField))\"; filename=\"\(filename)\"\r\n"
        head += "Content-Type: application/octet-stream\r\n\r\n"
        self.head = ByteBuffer(string: head)
        self.tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
        self.filePath = filePath
        self.length = Int64(self.head.readableBytes) + fileSize + Int64(self.tail.readableBytes)
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(body: self)
    }

    /// Yields the head, the file in 64 KiB chunks, then the closing boundary.
    struct AsyncIterator: AsyncIteratorProtocol {
        private enum Stage {
            case head, openFile, file(BlockingFile), tail, done
        }

        private let body: MultipartUploadBody
        private var stage = Stage.head

        fileprivate init(body: MultipartUploadBody) {
            self.body = body
        }

        mutating func next() async throws -> ByteBuffer? {
            switch stage {
            case .head:
                stage = .openFile
                return body.head
            case .openFile:
                do {
                    stage = .file(try BlockingFile.reading(body.filePath))
                } catch {
                    throw RPCClientError(kind: .invalidRequest, message: "cannot open the file to upload: \(error)")
                }
                return try await next()
            case .file(let handle):
                // Reading the disk blocks: on NIO's thread pool, not Swift's cooperative one.
                let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upTo: 64 * 1024) }
                if !chunk.isEmpty {
                    return ByteBuffer(bytes: chunk)
                }
                handle.close()
                stage = .tail
                return try await next()
            case .tail:
                stage = .done
                return body.tail
            case .done:
                return nil
            }
        }
    }

    /// A form-data name or filename with quotes and line breaks escaped, as browsers do.
    private static func quoted(_ text: String) -> String {
        text.replacing("\"", with: "%22").replacing("\r", with: "%0D").replacing("\n", with: "%0A")
    }
}
