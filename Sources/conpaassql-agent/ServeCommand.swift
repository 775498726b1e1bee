import Agent
import ArgumentParser
import CommandLineSupport
import Hummingbird
import JSONRPC
import Logging

/// `conpaassql-agent [serve]`: runs one node's MariaDB and serves the agent's JSON-RPC methods.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a ConPaaS SQL agent: a supervised MariaDB server and its JSON-RPC API (the default).",
        discussion: """
            The agent initializes DIR on first start (mariadb-install-db, a random root \
            password in DIR/client.cnf), starts mariadbd on ADDR:3306 and restarts it if it dies. \
            Every call must carry the service secret (Authorization: Bearer or X-Auth-Token).

            Example:
              conpaassql-agent --address 127.0.1.2 --data-dir /var/lib/conpaassql --secret-file /etc/conpaassql/secret
            """)

    @Option(help: "Address to listen on (the VM's IP); mariadbd binds to it too.")
    var address: String

    @Option(help: "Port of the agent's JSON-RPC API.")
    var port: Int = 60000

    @Option(help: "Port of mariadbd on the same address.")
    var mysqlPort: Int = 3306

    @Option(help: "The agent's directory (data, configuration, logs, credentials).")
    var dataDir: String

    @Option(help: "File holding the service secret (first line).")
    var secretFile: String

    @Option(help: "Manager URL to report to with register_node, e.g. http://127.0.0.1:50000.")
    var manager: String?

    @Option(help: "The node id the manager knows this agent by.")
    var nodeId: String?

    @Option(help: "mariadbd server_id (default: derived from the address).")
    var serverId: UInt32?

    @Option(help: "Largest send_mysqldump upload, in bytes.")
    var maxUploadBytes: Int64 = 1 << 30

    @Flag(help: "Small-footprint MariaDB settings (local cloud and tests).")
    var small = false

    @Option(help: "A data directory mariadb-install-db prepared, copied at first start instead of running it.")
    var datadirTemplate: String?

    @Flag(help: "A restore's new master: with no data directory yet, start no MariaDB until restore_backup installs the backup.")
    var awaitRestore = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...65535).contains(port), (1...65535).contains(mysqlPort) else {
            throw ValidationError("ports must be from 1 to 65535")
        }
        guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes must be positive") }
    }

    func run() async throws {
        let secret: String
        do {
            let bytes = try BlockingFile.reading(secretFile).read(upTo: 64 * 1024)
            secret = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } catch {
            throw ValidationError("cannot read --secret-file: \(error)")
        }
        guard !secret.isEmpty else { throw ValidationError("--secret-file \(secretFile) is empty") }
        var logger = Logger(label: "conpaassql.agent")
        logger.logLevel = logLevel
        logger[metadataKey: "node.id"] = "\(nodeId ?? address)"
        let configuration = AgentConfiguration(
            address: address, port: port, mysqlPort: mysqlPort, dataDirectory: dataDir, secret: secret,
            managerURL: manager, nodeID: nodeId, serverID: serverId, small: small, maxUploadBytes: maxUploadBytes,
            dataDirectoryTemplate: datadirTemplate, awaitRestore: awaitRestore)
        let app = try await buildAgentApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
