import ArgumentParser
import Logging
import NIOPosix
import OpenNebula

/// Options of the OpenNebula cloud (`--cloud opennebula`).
struct OpenNebulaOptions: ParsableArguments {
    @Option(help: "OpenNebula's XML-RPC endpoint, e.g. http://one.example.org:2633/RPC2.")
    var oneEndpoint: String?

    @Option(help: "The OpenNebula user agent VMs are created as.")
    var oneUser: String?

    @Option(help: "File holding that user's password (first line).")
    var onePasswordFile: String?

    @Option(help: "The registered agent image (oneimage create).")
    var oneImageId: Int?

    @Option(help: "The virtual network agent VMs take their address from.")
    var oneNetworkId: Int?

    @Option(help: "The agent VM template (default: images/agent.template beside the build or install).")
    var oneTemplateFile: String?

    @Option(help: "CPU share per agent VM.")
    var oneCpu: Double = 1

    @Option(help: "Memory per agent VM, in MiB.")
    var oneMemory: Int = 1024

    @Option(help: "How many XML-RPC calls may wait on the front-end at once (each holds a thread of their own pool).")
    var oneCallThreads = 8

    /// Checks the options `--cloud opennebula` needs.
    func validateForUse() throws {
        guard oneEndpoint != nil, oneUser != nil, onePasswordFile != nil, oneImageId != nil, oneNetworkId != nil else {
            throw ValidationError("--cloud opennebula needs --one-endpoint, --one-user, --one-password-file, --one-image-id and --one-network-id")
        }
        guard oneCpu > 0, oneMemory > 0 else { throw ValidationError("--one-cpu and --one-memory must be positive") }
        guard (1...64).contains(oneCallThreads) else { throw ValidationError("--one-call-threads must be 1 to 64") }
    }

    /// The driver, its blocking XML-RPC calls on `threadPool`.
    func makeDriver(contextualization: String, threadPool: NIOThreadPool, logger: Logger) async throws -> OpenNebulaDriver {
        try validateForUse()
        let template = try oneTemplateFile ?? "\(InstallLayout.directory("images", holding: "agent.template", given: nil, option: "--one-template-file"))/agent.template"
        let configuration = OpenNebulaConfiguration(
            endpoint: oneEndpoint!, user: oneUser!, password: try InstallLayout.secret(from: onePasswordFile!, option: "--one-password-file"),
            imageID: oneImageId!, networkID: oneNetworkId!, templateFile: template, cpu: oneCpu, memoryMB: oneMemory,
            initScript: "\(contextualization)/agent/init.sh")
        return try await OpenNebulaDriver(configuration: configuration, logger: logger, threadPool: threadPool)
    }
}
