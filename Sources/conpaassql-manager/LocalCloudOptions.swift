import ArgumentParser
import ConPaaSCore
import Foundation
import LocalCloud
import Logging

/// Options of the built-in local cloud.
struct LocalCloudOptions: ParsableArguments {
    @Option(help: "First three octets of the VMs' loopback addresses (VM n gets PREFIX.n).")
    var localAddressPrefix = "127.0.1"

    @Option(help: "Directory holding conpaassql-agent (default: this executable's directory).")
    var agentBinDir: String?

    @Option(help: "The contextualization/ directory (default: found beside the build or install).")
    var contextualizationDir: String?

    @Flag(help: "Give local MariaDB servers their normal memory settings instead of the small footprint.")
    var fullSizeMariadb = false

    private var executableDirectory: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    /// The contextualization directory: given, or beside a build tree (`.build/debug/../../`), or installed.
    func contextualizationDirectory() throws -> String {
        let candidates = [contextualizationDir, "\(executableDirectory)/../../contextualization", "\(executableDirectory)/../../../contextualization",
                          "\(executableDirectory)/../share/conpaassql/contextualization"].compactMap { $0 }
        for candidate in candidates where FileManager.default.fileExists(atPath: "\(candidate)/boot-hook.sh") {
            return URL(fileURLWithPath: candidate).standardizedFileURL.path
        }
        throw ValidationError("cannot find contextualization/boot-hook.sh; give --contextualization-dir")
    }

    func makeDriver(stateDirectory: String, logger: Logger) throws -> LocalCloudDriver {
        let scripts = try contextualizationDirectory()
        return try LocalCloudDriver(
            configuration: LocalCloudConfiguration(
                stateDirectory: "\(stateDirectory)/cloud", addressPrefix: localAddressPrefix,
                bootHook: "\(scripts)/boot-hook.sh", initScript: "\(scripts)/agent/init.sh", environment: [:]),
            logger: logger)
    }

    /// What every local agent VM gets in its context besides the manager's variables.
    func agentContext() -> [String: String] {
        [AgentContext.binDirectory: agentBinDir ?? executableDirectory, AgentContext.small: fullSizeMariadb ? "no" : "yes"]
    }
}
