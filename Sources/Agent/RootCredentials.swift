import ConPaaSCore
import Synchronization

/// The root password of the agent's own MariaDB, kept in a 0600 option file
/// that client tools read with `--defaults-extra-file`, so it never appears on
/// a command line or in a log. The password in force is read from the file once
/// and then kept in memory (it only changes when the first start secures root).
final class RootCredentials: Sendable {
    let paths: AgentPaths
    private let inForce = Mutex<String?>(nil)

    init(paths: AgentPaths) {
        self.paths = paths
    }

    /// The password in force, or nil before the first start secured the server.
    func password() -> String? {
        inForce.withLock { cached in
            if cached == nil { cached = (try? FileSystem.read(paths.clientOptions)).flatMap(Self.password(in:)) }
            return cached
        }
    }

    /// The password chosen but perhaps not yet applied (first start interrupted).
    func pendingPassword() -> String? {
        (try? FileSystem.read(paths.pendingClientOptions)).flatMap(Self.password(in:))
    }

    /// Chooses a new password and records it as pending.
    func choosePendingPassword() throws -> String {
        let password = RandomSecret.make(length: 32)
        try FileSystem.writeAtomically(optionFile(password: password), to: paths.pendingClientOptions, privateFile: true)
        return password
    }

    /// Makes the pending password the one in force.
    func commitPendingPassword() throws {
        guard let password = pendingPassword() else { throw AgentError.internalFailure("no pending root password") }
        try FileSystem.writeAtomically(optionFile(password: password), to: paths.clientOptions, privateFile: true)
        FileSystem.remove(paths.pendingClientOptions)
        inForce.withLock { $0 = password }
    }

    /// For a server whose first data is a copy (a restore's new master): chooses its
    /// password, in force at once (the copy's one-time `init_file` sets it).
    func adoptNewPassword() throws -> String {
        let password = try pendingPassword() ?? choosePendingPassword()
        try commitPendingPassword()
        return password
    }

    private func optionFile(password: String) -> String {
        """
        # Root credentials of this node's MariaDB. Keep this file 0600.
        [client]
        user = root
        password = \(password)
        socket = \(paths.socket)

        """
    }

    private static func password(in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("password = ") {
            return String(line.dropFirst("password = ".count))
        }
        return nil
    }
}
