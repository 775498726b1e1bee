import ArgumentParser
import ConPaaSCore
import Foundation
import LocalCloud
import Logging
import NIOPosix

/// Options of the built-in local cloud.
struct LocalCloudOptions: ParsableArguments {
    @Option(help: "First three octets of the VMs' loopback addresses (VM n gets PREFIX.n).")
    var localAddressPrefix = "127.0.1"

    @Option(help: "Directory holding conpaassql-agent (default: this executable's directory).")
    var agentBinDir: String?

    @Flag(help: "Give local MariaDB servers their normal memory settings instead of the small footprint.")
    var fullSizeMariadb = false

    func makeDriver(stateDirectory: String, contextualization: String, logger: Logger) throws -> LocalCloudDriver {
        try LocalCloudDriver(
            configuration: LocalCloudConfiguration(
                stateDirectory: "\(stateDirectory)/cloud", addressPrefix: localAddressPrefix,
                bootHook: "\(contextualization)/boot-hook.sh", initScript: "\(contextualization)/agent/init.sh"),
            logger: logger)
    }

    /// The data directory the agents copy at first start, under `directory`: made once by
    /// `conpaassql-agent prepare-datadir-template`, the agent's own mariadb-install-db run
    /// (the manager does not link the agent). Nil when there is no agent to run: the
    /// agents then run mariadb-install-db themselves (and fail to boot without a binary).
    func dataDirectoryTemplate(in directory: String, logger: Logger) async throws -> String? {
        let template = "\(directory)/datadir-template"
        if FileManager.default.fileExists(atPath: "\(template)/mysql") { return template }  // made by an earlier start
        let agent = "\(agentBinDir ?? InstallLayout.executableDirectory)/conpaassql-agent"
        guard FileManager.default.isExecutableFile(atPath: agent) else {
            logger.warning("no data directory template: \(agent) is missing")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: agent)
        process.arguments = ["prepare-datadir-template", directory]
        // Its errors go to a file: a pipe read only after the end would block a talkative child.
        let errorLog = "\(directory)/datadir-template.agent.log"
        _ = FileManager.default.createFile(atPath: errorLog, contents: nil)
        let output = Pipe()
        (process.standardOutput, process.standardError, process.standardInput) = (output, try FileHandle(forWritingTo: URL(fileURLWithPath: errorLog)), FileHandle.nullDevice)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        // The agent has ended: reading what it wrote no longer waits.
        let (printed, failure) = try await NIOThreadPool.singleton.runIfActive {
            (output.fileHandleForReading.readDataToEndOfFile(), (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? "")
        }
        let path = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, !path.isEmpty else {
            throw ValidationError("cannot prepare the data directory template: \(failure)")
        }
        return path
    }

    /// What every local agent VM gets in its context besides the manager's variables.
    func agentContext() -> [String: String] {
        [AgentContext.binDirectory: agentBinDir ?? InstallLayout.executableDirectory, AgentContext.small: fullSizeMariadb ? "no" : "yes"]
    }
}
