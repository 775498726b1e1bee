import Foundation
import NIOPosix

/// HAProxy's admin socket: one connection per request, commands separated by
/// `;`, the answer read to the end. Blocking socket calls run on the thread pool.
struct HAProxyAdmin: Sendable {
    let socketPath: String
    let threadPool: NIOThreadPool

    /// A failure to reach HAProxy or to be understood by it.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `commands` as one request; answers HAProxy's text.
    func send(_ commands: [String]) async throws -> String {
        let path = socketPath
        let request = commands.joined(separator: "; ") + "\n"
        return try await threadPool.runIfActive { try Self.exchange(request, path: path) }
    }

    private static func exchange(_ request: String, path: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "cannot reach HAProxy at \(path): \(String(cString: strerror(errno)))") }
        let sent = request.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        guard sent == request.utf8.count else { throw Failure(description: "cannot write to HAProxy's socket") }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            answer += chunk[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
