import ConPaaSCore
import Foundation
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// `GET /backup-files/PATH`: a file of the backup store (a backup's stream, an
    /// archived binlog), for agents restoring a backup. Only callers holding the
    /// service secret get one, whatever token the manager's API asks for, and
    /// only plain paths to backups and archived binlogs are served (not the archiver's credentials).
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
            let body = try await fileIO.loadFile(path: "\(store.directory)/\(path)", context: context)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
    }
}
