import Foundation
import TestSupport

/// A stand-in manager: listens on a loopback address (port chosen by the
/// kernel), takes one HTTP request and answers `200 {}`.
final class OneRequestHTTPListener {
    /// One request as received.
    struct Request {
        /// The request line and headers, CRLF-separated.
        let head: String
        let body: String

        var requestLine: String { head.components(separatedBy: "\r\n").first ?? "" }

        /// The value of header `name` (case-insensitive), if present.
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                if line[..<colon].lowercased() == name.lowercased() {
                    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    let port: UInt16
    private let listener: Int32

    init(address: String) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else {
            close(listener)
            throw TestFailure("bad address \(address)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 4) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw TestFailure("cannot listen on \(address): errno \(errno)")
        }
        self.listener = listener
        port = UInt16(bigEndian: socketAddress.sin_port)
    }

    deinit { close(listener) }

    /// Waits for one request (head and `Content-Length` body) and answers it.
    /// The socket work runs on a thread of its own, so the answer goes out at
    /// once however busy Swift's cooperative pool is (a client with a time
    /// limit, like init.sh's curl, would otherwise give up on a loaded machine).
    func receive(timeout: Duration = .seconds(60)) async throws -> Request {
        let listener = listener
        let deadline = ContinuousClock.now + timeout
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try Self.serveOne(on: listener, until: deadline) })
            }
        }
    }

    private static func serveOne(on listener: Int32, until deadline: ContinuousClock.Instant) throws -> Request {
        try waitReadable(listener, until: deadline)
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { throw TestFailure("accept: errno \(errno)") }
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while split(received) == nil {
            try waitReadable(connection, until: deadline)
            let count = recv(connection, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 {
                throw TestFailure("connection closed after \(received.count) bytes")
            } else if errno != EINTR {
                throw TestFailure("recv: errno \(errno)")
            }
        }
        let response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8)
        _ = send(connection, response, response.count, Int32(MSG_NOSIGNAL))
        return split(received)!
    }

    /// Blocks until `descriptor` has something to read, or throws at `deadline`.
    private static func waitReadable(_ descriptor: Int32, until deadline: ContinuousClock.Instant) throws {
        while true {
            let left = ContinuousClock.now.duration(to: deadline).components
            let milliseconds = left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000
            guard milliseconds > 0 else { throw TestFailure("no request before the timeout") }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(milliseconds))
            if ready > 0 { return }
            if ready < 0, errno != EINTR { throw TestFailure("poll: errno \(errno)") }
        }
    }

    /// The request in `bytes` once its head and whole body arrived.
    private static func split(_ bytes: [UInt8]) -> Request? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let head = String(text[..<end.lowerBound])
        let body = String(text[end.upperBound...])
        let partial = Request(head: head, body: body)
        let length = Int(partial.header("Content-Length") ?? "0") ?? 0
        return body.utf8.count >= length ? partial : nil
    }
}
