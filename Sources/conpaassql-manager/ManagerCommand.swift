import ArgumentParser
import ConPaaSCore
import Foundation
import Hummingbird
import Logging
import Manager

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

    @OptionGroup(title: "Local cloud")
    var local: LocalCloudOptions

    @OptionGroup(title: "Provisioning")
    var provisioning: ProvisioningOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
        guard maxNodes >= 1 else { throw ValidationError("--max-nodes must be at least 1") }
        if tokenFile == nil, !ManagerConfiguration.isLoopback(address) {
            throw ValidationError("--token-file is required when listening on \(address), which is not a loopback address")
        }
    }

    func run() async throws {
        let token = try tokenFile.map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let token = text.split(whereSeparator: \.isNewline).first, !token.isEmpty else {
                throw ValidationError("cannot read a token from --token-file \(path)")
            }
            return String(token)
        }
        var logger = Logger(label: "conpaassql.manager")
        logger.logLevel = logLevel
        let driver: any CloudDriver
        var extraContext: [String: String] = [:]
        switch cloud {
        case .local:
            driver = try local.makeDriver(stateDirectory: stateDir, logger: logger)
            extraContext = local.agentContext()
        }
        let configuration = ManagerConfiguration(
            address: address, port: port, advertisedAddress: advertiseAddress, stateDirectory: stateDir, token: token,
            maxNodes: maxNodes, extraContext: extraContext, policy: provisioning.policy)
        let app = try await buildManagerApplication(configuration: configuration, cloud: driver, logLevel: logLevel)
        try await app.runService()
    }
}

enum CloudChoice: String, ExpressibleByArgument, CaseIterable {
    case local
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
