import Foundation
import JSONRPC
import TestSupport

extension TestManager {
    /// Runs `body` with a manager that requires a token (`--token-file`), on its own
    /// loopback block and state directory like ``with(extraArguments:_:)``; `body` gets the token.
    ///
    /// ``start()`` probes the manager without a token, so the process is started here and
    /// probed until it answers 401; ``tearDown()`` ends it and its VMs like any other
    /// (every process whose command line names the state directory).
    /// A block whose manager address is taken (by a test run in another tree) is skipped.
    static func withToken(_ body: (TestManager, String) async throws -> Void) async throws {
        var manager = try TestManager()
        while isListening(manager.address, port: 50000) {
            await manager.tearDown()
            manager = try TestManager()
        }
        let token = "token-\(UUID().uuidString)"
        do {
            try await manager.startRequiring(token: token)
            try await body(manager, token)
        } catch {
            print("manager log tail for \(manager.stateDirectory):\n\(manager.logTail())")
            await manager.tearDown()
            throw error
        }
        await manager.tearDown()
    }

    private func startRequiring(token: String) async throws {
        let tokenFile = "\(stateDirectory)/user-token"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        let logPath = URL(fileURLWithPath: "\(stateDirectory)/manager.log")
        try Data().write(to: logPath)
        let log = try FileHandle(forWritingTo: logPath)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(Self.binaries)/conpaassql-manager")
        process.arguments = [
            "--address", address, "--state-dir", stateDirectory, "--local-address-prefix", "127.0.\(block)",
            "--contextualization-dir", "\(Self.repository)/contextualization", "--agent-bin-dir", Self.binaries,
            "--poll-interval-ms", "200", "--log-level", "debug", "--token-file", tokenFile,
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try await eventually("the manager asks for its token", timeout: .seconds(30)) {
            guard process.isRunning else { throw TestFailure("the manager exited with \(process.terminationStatus)") }
            do {
                _ = try await client.call("get_service_info", kind: .get)
                throw TestFailure("the manager answered without a token")
            } catch let error as RPCError {
                return error.message.hasPrefix("Unauthorized")
            }
        }
    }

    /// Whether something accepts TCP connections at `address`:`port`.
    private static func isListening(_ address: String, port: UInt16) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &target.sin_addr)
        return withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
