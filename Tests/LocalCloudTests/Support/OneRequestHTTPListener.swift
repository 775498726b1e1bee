import Foundation
import TestSupport

/// A stand-in manager: listens on a loopback address (port chosen by the
/// kernel), takes one HTTP request and answers `200 {}`. Non-blocking sockets
/// polled with async sleeps, so no thread waits.
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
    func receive(timeout: Duration = .seconds(60)) async throws -> Request {
        let deadline = ContinuousClock.now + timeout
        var connection: Int32 = -1
        while connection < 0 {
            connection = accept(listener, nil, nil)
            if connection < 0 { try await pause(after: errno, until: deadline) }
        }
        _ = fcntl(connection, F_SETFL, O_NONBLOCK)
        defer { close(connection) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Self.split(received) == nil {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 {
                throw TestFailure("connection closed after \(received.count) bytes")
            } else {
                try await pause(after: errno, until: deadline)
            }
        }
        let response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".utf8)
        _ = send(connection, response, response.count, Int32(MSG_NOSIGNAL))
        return Self.split(received)!
    }

    /// Waits a little after a socket call failed with `error` (read at once: an
    /// async call may resume on another thread, with another `errno`).
    private func pause(after error: Int32, until deadline: ContinuousClock.Instant) async throws {
        guard error == EAGAIN || error == EWOULDBLOCK || error == EINTR else { throw TestFailure("socket: errno \(error)") }
        guard ContinuousClock.now < deadline else { throw TestFailure("no request before the timeout") }
        try await Task.sleep(for: .milliseconds(10))
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
