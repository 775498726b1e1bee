import FoundationEssentials
import NIOCore

/// Why a `multipart/form-data` body was refused; `reply` is what the caller gets.
struct MultipartFormError: Error {
    let reply: RPCReply

    static let malformed = MultipartFormError(reply: .conpaasError(.badRequest, "Invalid request: malformed multipart/form-data body"))

    static func fileTooLarge(field: String, limit: Int64) -> MultipartFormError {
        let error = RPCError.invalidArgument(field, detail: "upload larger than \(limit) bytes")
        return MultipartFormError(reply: .conpaasError(.contentTooLarge, error.message))
    }

    static func fieldsTooLarge(limit: Int) -> MultipartFormError {
        MultipartFormError(reply: .conpaasError(.contentTooLarge, "Invalid request: form fields larger than \(limit) bytes"))
    }

    static func tooManyParts(limit: Int) -> MultipartFormError {
        MultipartFormError(reply: .conpaasError(.contentTooLarge, "Invalid request: more than \(limit) form parts"))
    }

    static func storage(_ detail: String) -> MultipartFormError {
        MultipartFormError(reply: .conpaasError(.internalServerError, "Cannot store upload: \(detail)"))
    }
}

/// Reads a `multipart/form-data` body chunk by chunk: text fields into
/// memory, file parts straight to fresh files in `directory`.
///
/// Limits are checked as bytes arrive; on the first failure the partial file
/// is deleted and later chunks are ignored. `removeFiles()` deletes every file
/// this receiver wrote. Not thread-safe: one request, one task.
/// Used by one request at a time, chunk after chunk (on the thread pool), hence `@unchecked Sendable`.
final class MultipartFormReceiver: @unchecked Sendable {
    private enum Part {
        case field(name: String, bytes: [UInt8])
        case file(field: String, filename: String?, path: String, handle: BlockingFile, size: Int64)
        case skipped
    }

    private var parser: MultipartStreamParser
    private let directory: String
    private let maxFileBytes: Int64
    private let maxFieldBytes: Int

    private(set) var fields: [String: String] = [:]
    private(set) var files: [String: UploadedFile] = [:]
    private var writtenPaths: [String] = []
    private var part: Part?
    private var sawEnd = false
    private var fileBytes: Int64 = 0
    private var fieldBytes = 0
    private var partCount = 0
    /// No ConPaaS method takes more than a few fields; many parts are an attack on memory and inodes.
    private static let maxParts = 64
    private var failure: MultipartFormError?

    /// Prepares to receive a body with `boundary`; creates `directory` if needed.
    init(boundary: String, directory: String, maxFileBytes: Int64, maxFieldBytes: Int) throws(MultipartFormError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create the upload directory")
        }
        self.parser = MultipartStreamParser(boundary: boundary)
        self.directory = directory
        self.maxFileBytes = maxFileBytes
        self.maxFieldBytes = maxFieldBytes
    }

    /// Feeds the next chunk of the body.
    func consume(_ chunk: ByteBuffer) throws(MultipartFormError) {
        if let failure { throw failure }
        do {
            for event in try parser.parse(chunk.readableBytesView) where failure == nil {
                handle(event)
            }
        } catch {
            fail(.malformed)
        }
        if let failure { throw failure }
    }

    /// Checks that the body ended with its closing boundary.
    func finish() throws(MultipartFormError) {
        guard sawEnd else {
            abandonPart()
            throw .malformed
        }
    }

    /// Deletes every file this receiver wrote, complete or not.
    func removeFiles() {
        abandonPart()
        for path in writtenPaths {
            try? FileManager.default.removeItem(atPath: path)
        }
        writtenPaths = []
    }

    private func handle(_ event: MultipartEvent) {
        switch event {
        case .partStart(let headers): part = beginPart(headers: headers)
        case .body(let bytes): receive(bytes)
        case .partEnd: completePart()
        case .end: sawEnd = true
        }
    }

    private func receive(_ body: ArraySlice<UInt8>) {
        switch part {
        case .field(let name, var bytes)?:
            fieldBytes += body.count
            guard fieldBytes <= maxFieldBytes else { return fail(.fieldsTooLarge(limit: maxFieldBytes)) }
            bytes.append(contentsOf: body)
            part = .field(name: name, bytes: bytes)
        case .file(let field, let filename, let path, let handle, let size)?:
            fileBytes += Int64(body.count)
            guard fileBytes <= maxFileBytes else { return fail(.fileTooLarge(field: field, limit: maxFileBytes)) }
            do {
                try handle.write(contentsOf: body)
            } catch {
                return fail(.storage("write failed"))
            }
            part = .file(field: field, filename: filename, path: path, handle: handle, size: size + Int64(body.count))
        case .skipped?, nil:
            break
        }
    }

    private func completePart() {
        switch part {
        case .field(let name, let bytes)?:
            fields[name] = String(decoding: bytes, as: UTF8.self)
        case .file(let field, let filename, let path, let handle, let size)?:
            handle.close()
            files[field] = UploadedFile(field: field, filename: filename, path: path, size: size)
        case .skipped?, nil:
            break
        }
        part = nil
    }

    /// Starts the part `headers` describe; a part without a name is skipped.
    private func beginPart(headers: [String: String]) -> Part {
        partCount += 1
        guard partCount <= Self.maxParts else {
            fail(.tooManyParts(limit: Self.maxParts))
            return .skipped
        }
        let disposition = HeaderValue(headers["content-disposition"] ?? "")
        guard disposition.value == "form-data", let name = disposition.parameters["name"] else { return .skipped }
        guard disposition.parameters.keys.contains("filename") else { return .field(name: name, bytes: []) }
        let path = directory + "/upload-" + UUID().uuidString
        guard let handle = try? BlockingFile.writing(path, permissions: 0o600) else {
            fail(.storage("cannot create a file in the upload directory"))
            return .skipped
        }
        writtenPaths.append(path)
        return .file(field: name, filename: disposition.parameters["filename"], path: path, handle: handle, size: 0)
    }

    private func fail(_ error: MultipartFormError) {
        failure = error
        abandonPart()
    }

    /// Closes and deletes a file part still being written.
    private func abandonPart() {
        if case .file(_, _, let path, let handle, _)? = part {
            handle.close()
            try? FileManager.default.removeItem(atPath: path)
        }
        part = nil
    }
}
