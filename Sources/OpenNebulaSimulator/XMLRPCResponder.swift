import Foundation
import Hummingbird
import NIOCore

/// The HTTP rules of OpenNebula's XML-RPC server (xmlrpc-c's Abyss) in front
/// of the simulator, checked in Abyss's order: 404 for another path, 405 for
/// another verb (OPTIONS answers `Allow: POST`), 400 for a content type other
/// than text/xml, 411 without Content-Length, 400 for a bad or zero length,
/// 500 for a call over the size limit; then the call itself, always 200.
struct XMLRPCResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let simulator: OneSimulator
    /// The only path served.
    static let path = "/RPC2"
    /// The largest call accepted (oned raises xmlrpc-c's 512 KiB default).
    static let maximumCallBytes = 64 << 20

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        guard request.uri.path == Self.path else {
            return Self.error(.notFound, "This XML-RPC For C/C++ Abyss XML-RPC server responds to only one URI path.  "
                + "I don't know what URI path that is, but it's not the one you requested: '\(request.uri.path)'.  (Typically, it's '/RPC2')")
        }
        switch request.method {
        case .post:
            break
        case .options:
            return Response(status: .ok, headers: [.allow: "POST", .contentLength: "0"])
        default:
            return Self.error(.methodNotAllowed, "POST is the only HTTP method this server understands")
        }
        guard let contentType = request.headers[.contentType] else {
            return Self.error(.badRequest, "You did not supply a content-type HTTP header")
        }
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        guard mediaType == "text/xml" else {
            return Self.error(.badRequest, "Your content-type HTTP header value '\(contentType)' does not have a MIME type of text/xml")
        }
        guard let lengthText = request.headers[.contentLength] else {
            return Self.error(.lengthRequired, "You must send a content-length HTTP header in an XML-RPC call.")
        }
        guard let length = Int(lengthText), length >= 0 else {
            return Self.error(.badRequest, "There's non-numeric crap in the value of your content-length HTTP header: '\(lengthText)'")
        }
        guard length > 0 else {
            return Self.error(.badRequest, "According to your content-length HTTP header, your request is empty (zero length)")
        }
        guard length <= Self.maximumCallBytes else {
            return Self.error(.internalServerError, "XML-RPC request too large (\(length) bytes)")
        }
        let body = try await request.body.collect(upTo: length)
        let answer = await simulator.respond(to: Array(buffer: body))
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: answer)))
    }

    /// Abyss's error page.
    private static func error(_ status: HTTPResponse.Status, _ explanation: String) -> Response {
        let page = "<HTML><HEAD><TITLE>Error \(status.code)</TITLE></HEAD><BODY><H1>Error \(status.code)</H1><P>"
            + XMLText.escaped(explanation)
            + "</P><p><HR><b><i><a href=\"http://xmlrpc-c.sourceforge.net\">ABYSS Web Server for XML-RPC For C/C++</a></i></b></p></BODY></HTML>"
        return Response(
            status: status, headers: [.contentType: "text/html"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }
}
