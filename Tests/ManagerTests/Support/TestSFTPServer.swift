import Foundation
import TestSupport

/// Debian's OpenSSH server run privately on the test manager's loopback block
/// (`127.0.B.248:2222`), key authentication only, with an rclone configuration
/// naming it as the remote `sftpstore`: the off-machine store of backup tests.
struct TestSFTPServer {
    let directory: String
    let process: Process
    var rcloneConfig: String { "\(directory)/rclone.conf" }
    /// Where the remote's files land (an absolute path on the server).
    var storeRoot: String { "\(directory)/store" }

    static func start(for manager: TestManager) async throws -> TestSFTPServer {
        let directory = "\(manager.stateDirectory)/sftp"
        try FileManager.default.createDirectory(atPath: "\(directory)/store", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for key in ["host", "client"] {
            try await run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(directory)/\(key)_key"])
        }
        try FileManager.default.copyItem(atPath: "\(directory)/client_key.pub", toPath: "\(directory)/authorized_keys")
        let address = "127.0.\(manager.block).248"
        let config = """
            ListenAddress \(address):2222
            HostKey \(directory)/host_key
            AuthorizedKeysFile \(directory)/authorized_keys
            PidFile \(directory)/sshd.pid
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PermitRootLogin prohibit-password
            Subsystem sftp internal-sftp

            """
        try config.write(toFile: "\(directory)/sshd_config", atomically: true, encoding: .utf8)
        let rclone = """
            [sftpstore]
            type = sftp
            host = \(address)
            port = 2222
            user = \(NSUserName())
            key_file = \(directory)/client_key
            shell_type = unix

            """
        try rclone.write(toFile: "\(directory)/rclone.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
        process.arguments = ["-D", "-e", "-f", "\(directory)/sshd_config"]
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: createLog("\(directory)/sshd.log")))
        try process.run()
        try await eventually("sshd listens") { FileManager.default.fileExists(atPath: "\(directory)/sshd.pid") || !process.isRunning }
        guard process.isRunning else { throw TestFailure("sshd did not start: \((try? String(contentsOfFile: "\(directory)/sshd.log", encoding: .utf8)) ?? "")") }
        return TestSFTPServer(directory: directory, process: process)
    }

    /// SIGKILL: the test process's threads block SIGTERM and sshd inherits that mask.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
    }

    private static func createLog(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    private static func run(_ tool: String, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("\(tool) failed (\(process.terminationStatus))") }
    }
}
