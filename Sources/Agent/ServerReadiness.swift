import MariaDB
import NIOPosix

/// When a just-started mariadbd can be used.
enum ServerReadiness {
    /// Polls `socket` until the server answers a login, even a refused one
    /// (access denied proves it is up); false after two minutes or on cancellation.
    static func waitForConnections(socket: String, threadPool: NIOThreadPool) async -> Bool {
        let probe = MariaDBConfiguration(endpoint: .unixSocket(path: socket), user: "conpaas_probe", password: "", timeoutSeconds: 2)
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline, !Task.isCancelled {
            do {
                let connection = try await MariaDBConnection.connect(probe, threadPool: threadPool)
                await connection.close()
                return true
            } catch let error as MariaDBError where error.serverErrorNumber == 1045 {
                return true
            } catch {
                try? await Task.sleep(for: .milliseconds(25))
            }
        }
        return false
    }
}
