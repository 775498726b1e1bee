import ConPaaSCore
import Glibc
import Hummingbird
import JSONRPC
import NIOPosix

extension Router where Context == BasicRequestContext {
    /// `GET /backup-files/PATH`: a file of the backup store (a backup's stream, an
    /// archived binlog), for agents restoring a backup. Only callers holding the
    /// service secret get one, whatever token the manager's API asks for, and
    /// only plain paths to backups and archived binlogs are served (not the archiver's credentials).
    /// `?after=GTIDPOS` on an archived binlog serves only what a replay from that
    /// position needs (``BinlogTrim``).
    func addBackupFiles(store: BackupStore, secret: String) {
        let fileIO = FileIO()
        get("/backup-files/**") { request, context -> Response in
            guard request.headers[.authorization] == "Bearer \(secret)" else {
                return Response(status: .unauthorized, body: ResponseBody(byteBuffer: ByteBuffer(string: "the service secret is required\n")))
            }
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard BackupStorePath.isValid(path), path.hasPrefix("backups/") || path.hasPrefix("archive/") else {
                return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "not a path in the backup store\n")))
            }
            let file = "\(store.directory)/\(path)"
            if let after = request.uri.queryParameters.get("after"), path.hasPrefix("archive/") {
                guard let position = GTIDPosition(after) else {
                    return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "after: not a GTID position\n")))
                }
                // Opened once, on the thread pool: scanned, then served from the same descriptor.
                let scanned = try await NIOThreadPool.singleton.runIfActive { () throws -> (BlockingFile, BinlogTrim?, Int)? in
                    let descriptor = open(file, O_RDONLY | O_CLOEXEC)
                    guard descriptor >= 0 else {
                        if errno == ENOENT { return nil }
                        throw FileError("cannot open", file)
                    }
                    let binlog = BlockingFile(adopting: descriptor)
                    let (trim, size) = try BinlogTrim.scan(binlog, after: position)
                    return (binlog, trim, size)
                }
                guard let (binlog, trim, size) = scanned else { throw HTTPError(.notFound) }
                if let trim, !trim.isWholeFile {
                    return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: trim.responseBody(of: binlog, named: file, size: size))
                }
            }
            let body = try await fileIO.loadFile(path: file, context: context)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
    }
}

extension BinlogTrim {
    /// The response serving the open binlog `file` (`size` bytes, `name` in errors) trimmed:
    /// its header events, then its events from ``start`` on, read on the thread pool.
    func responseBody(of file: BlockingFile, named name: String, size: Int) -> ResponseBody {
        ResponseBody(contentLength: headerEnd + size - start) { [self] writer in
            for range in [0..<headerEnd, start..<size] {
                var offset = range.lowerBound
                while offset < range.upperBound {
                    let (from, count) = (offset, min(1 << 20, range.upperBound - offset))
                    let chunk = try await NIOThreadPool.singleton.runIfActive { try file.read(at: from, upTo: count) }
                    guard !chunk.isEmpty else { throw BackupStore.Failure(description: "\(name) shrank while it was served") }
                    offset += chunk.count
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
            }
            try await writer.finish(nil)
        }
    }
}
