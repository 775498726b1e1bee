import Foundation
import NIOCore
import NIOPosix
import TestSupport

/// What a raw HTTP exchange returned.
struct RawHTTPResponse {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: String

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Sends `request` as it is to 127.0.0.1:`port` (add `Connection: close`)
/// and reads the answer until the server closes the connection.
func rawHTTP(port: Int, _ request: String) async throws -> RawHTTPResponse {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    let text = try await channel.executeThenClose { inbound, outbound in
        try await outbound.write(ByteBuffer(string: request))
        var received = ByteBuffer()
        for try await chunk in inbound { received.writeImmutableBuffer(chunk) }
        return String(buffer: received)
    }
    guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP header in \(text)") }
    let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
    let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return RawHTTPResponse(status: status, headers: headers, body: String(text[split.upperBound...]))
}

/// A POST of `body` to `/RPC2` with the given extra header lines.
func xmlrpcPost(_ body: String, headers: [String] = ["Content-Type: text/xml"], path: String = "/RPC2") -> String {
    let head = ["POST \(path) HTTP/1.1", "Host: 127.0.0.1", "Connection: close"] + headers + ["Content-Length: \(body.utf8.count)"]
    return head.joined(separator: "\r\n") + "\r\n\r\n" + body
}

/// A `<methodCall>` with the given `<value>` elements as parameters.
func methodCall(_ method: String, _ values: [String]) -> String {
    "<?xml version=\"1.0\"?><methodCall><methodName>\(method)</methodName><params>"
        + values.map { "<param>\($0)</param>" }.joined() + "</params></methodCall>"
}
