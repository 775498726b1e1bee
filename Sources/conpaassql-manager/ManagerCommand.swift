import ArgumentParser
import CommandLineSupport
import ConPaaSCore
import Foundation
import Hummingbird
import Logging
import Manager
import NIOPosix

/// `conpaassql-manager`: runs one ConPaaS SQL service.
@main
struct ManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conpaassql-manager",
        abstract: "Run a ConPaaS SQL manager: one replicated MariaDB service on a cloud, behind a JSON-RPC API.",
        discussion: """
            The manager keeps its state in DIR (SQLite) and survives restarts, even SIGKILL. \
            With --cloud local (the default) agent "VMs" are process trees on 127.0.1.x addresses \
            booted through contextualization/boot-hook.sh and agent/init.sh, as on a real cloud.

            Examples:
              conpaassql-manager --address 127.0.0.1 --state-dir /tmp/service1
              conpaassql-manager --address 10.0.0.5 --state-dir /var/lib/conpaassql-manager --token-file /etc/conpaassql/token \\
                --cloud opennebula --one-endpoint http://one:2633/RPC2 --one-user oneadmin --one-password-file /etc/conpaassql/one \\
                --one-image-id 7 --one-network-id 0
            """)

    @Option(help: "Address to listen on.")
    var address: String

    @Option(help: "JSON-RPC port.")
    var port: Int = 50000

    @Option(help: "Address agents use to reach the manager (default: --address).")
    var advertiseAddress: String?

    @Option(help: "Directory for the manager's state (SQLite database, service secret).")
    var stateDir: String

    @Option(help: "The cloud to boot agent VMs on: local or opennebula.")
    var cloud: CloudChoice = .local

    @Option(help: "File holding the token users must present (required off loopback).")
    var tokenFile: String?

    @Option(help: "Most nodes the service may have.")
    var maxNodes: Int = 20

    @Option(help: "The contextualization/ directory (default: found beside the build or install).")
    var contextualizationDir: String?

    @Option(parsing: .singleValue, help: "KEY=VALUE added to every agent VM's context (repeatable), e.g. AGENT_SMALL=yes.")
    var agentContext: [String] = []

    @OptionGroup(title: "Local cloud")
    var local: LocalCloudOptions

    @OptionGroup(title: "OpenNebula")
    var openNebula: OpenNebulaOptions

    @OptionGroup(title: "Provisioning")
    var provisioning: ProvisioningOptions

    @OptionGroup(title: "High availability")
    var failover: FailoverOptions

    @OptionGroup(title: "Endpoints (HAProxy)")
    var endpoints: EndpointCommandOptions

    @OptionGroup(title: "Backups")
    var backups: BackupCommandOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be at least 1") }
        if tokenFile == nil, !ManagerConfiguration.isLoopback(address) {
            throw ValidationError("--token-file is required when listening on \(address), which is not a loopback address")
        }
        if cloud == .opennebula { try openNebula.validateForUse() }
        try endpoints.validate(managerPort: port)
        _ = try extraContext()
    }

    /// `--agent-context` pairs, checked.
    private func extraContext() throws -> [String: String] {
        var context: [String: String] = [:]
        for pair in agentContext {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].wholeMatch(of: /[A-Z_][A-Z0-9_]*/) != nil else {
                throw ValidationError("--agent-context takes KEY=VALUE with an upper-case KEY, not '\(pair)'")
            }
            context[parts[0]] = parts[1]
        }
        return context
    }

    func run() async throws {
        let token = try tokenFile.map { try InstallLayout.secret(from: $0, option: "--token-file") }
        let contextualization = try InstallLayout.directory(
            "contextualization", holding: "boot-hook.sh", given: contextualizationDir, option: "--contextualization-dir")
        var logger = Logger(label: "conpaassql.manager")
        logger.logLevel = logLevel
        let driver: any CloudDriver
        var cloudThreadPool: NIOThreadPool?
        var extraContext = try extraContext()
        switch cloud {
        case .local:
            driver = try local.makeDriver(stateDirectory: stateDir, contextualization: contextualization, logger: logger)
            extraContext.merge(local.agentContext()) { given, _ in given }
            if extraContext[AgentContext.dataDirectoryTemplate] == nil,
               let template = try await local.dataDirectoryTemplate(in: "\(stateDir)/cloud", logger: logger) {
                extraContext[AgentContext.dataDirectoryTemplate] = template
            }
        case .opennebula:
            // Each XML-RPC call blocks a thread up to its time limit: with a pool of their own, a slow
            // front-end neither serializes VM creations nor holds up the manager's other blocking work
            // (dump forwarding) on NIOThreadPool.singleton, which has one thread per core.
            let threadPool = NIOThreadPool(numberOfThreads: openNebula.oneCallThreads)
            threadPool.start()
            cloudThreadPool = threadPool
            driver = try await openNebula.makeDriver(contextualization: contextualization, threadPool: threadPool, logger: logger)
        }
        let configuration = ManagerConfiguration(
            address: address, port: port, advertisedAddress: advertiseAddress, stateDirectory: stateDir, token: token,
            maxNodes: maxNodes, extraContext: extraContext, policy: provisioning.policy,
            failover: failover.policy, endpoints: endpoints.options(managerAddress: address),
            backups: try backups.options(stateDirectory: stateDir))
        let app = try await buildManagerApplication(configuration: configuration, cloud: driver, logLevel: logLevel)
        try await app.runService()
        try await cloudThreadPool?.shutdownGracefully()
    }
}

enum CloudChoice: String, ExpressibleByArgument, CaseIterable {
    case local, opennebula
}
