import ArgumentParser
import ConPaaSCore
import Foundation
import JSONRPC
import LocalCloud
import Logging

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
        // Its errors go to a file, for the message when it fails.
        let errorLog = "\(directory)/datadir-template.agent.log"
        let (termination, printed) = try await Subprocess.run(
            agent, ["prepare-datadir-template", directory], environment: ProcessInfo.processInfo.environment,
            errors: .file(BlockingFile.writing(errorLog, permissions: 0o600)))
        let path = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard termination.succeeded, !path.isEmpty else {
            let failure = (try? String(contentsOfFile: errorLog, encoding: .utf8)) ?? ""
            throw LocalCloudError("cannot prepare the data directory template (\(termination)): \(failure)")
        }
        return path
    }

    /// What every local agent VM gets in its context besides the manager's variables.
    func agentContext() -> [String: String] {
        [AgentContext.binDirectory: agentBinDir ?? InstallLayout.executableDirectory, AgentContext.small: fullSizeMariadb ? "no" : "yes"]
    }
}
