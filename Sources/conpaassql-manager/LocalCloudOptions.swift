import ArgumentParser
import ConPaaSCore
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

    /// What every local agent VM gets in its context besides the manager's variables.
    func agentContext() -> [String: String] {
        [AgentContext.binDirectory: agentBinDir ?? InstallLayout.executableDirectory, AgentContext.small: fullSizeMariadb ? "no" : "yes"]
    }
}
