import ConPaaSCore
import Foundation
import Hummingbird
import JSONRPC
import Logging
import NIOCore
import ServiceLifecycle

/// Builds the manager: its store (SQLite under the state directory), the
/// provisioning worker and health monitor, and the HTTP server for its JSON-RPC
/// methods. Run the result with `runService()`.
public func buildManagerApplication(
    configuration: ManagerConfiguration, cloud: any CloudDriver, logLevel: Logger.Level = .info
) async throws -> some ApplicationProtocol {
    let recentLog = RecentLog()
    var logger = Logger(label: "conpaassql.manager") { label in
        var handler = RecentLogHandler(label: label, recent: recentLog)
        handler.logLevel = logLevel
        return handler
    }
    logger.logLevel = logLevel
    try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
    let store = try ManagerStore(path: "\(configuration.stateDirectory)/manager.sqlite")
    let secret = try ServiceSecret.loadOrCreate(at: "\(configuration.stateDirectory)/service-secret")
    let agents = AgentDirectory(secret: secret, agentPort: configuration.agentPort, httpClient: AgentDirectory.sharedHTTPClient)
    let tag = store.snapshot().service.tag
    logger[metadataKey: "service.id"] = "\(tag)"
    let context = VMContextTemplate(
        serviceTag: tag, managerAddress: configuration.advertisedAddress, managerPort: configuration.port,
        secret: secret, extra: configuration.extraContext)
    let metrics = ManagerMetrics()
    let instrumented = InstrumentedCloud(cloud: cloud, metrics: metrics)
    let board = StatusBoard()
    let endpoints = configuration.endpoints.map { options in
        EndpointService(
            options: options, stateDirectory: configuration.stateDirectory, readerSlots: configuration.maxNodes, store: store, board: board,
            logger: logger)
    }
    let worker = ProvisioningWorker(
        store: store, cloud: instrumented, agents: agents, context: context, policy: configuration.policy, failover: configuration.failover,
        endpoints: endpoints, backupFiles: BackupStore(directory: configuration.backups.directory), metrics: metrics, logger: logger)
    let backups = BackupService(store: store, options: configuration.backups, agents: agents, worker: worker, metrics: metrics, logger: logger)
    let archiver = configuration.backups.archiveBinlogs
        ? BinlogArchiver(
            store: store, files: backups.files, agents: agents, managerAddress: configuration.advertisedAddress, remote: backups.remote, metrics: metrics,
            logger: logger)
        : nil
    let service = ManagerService(
        configuration: configuration, store: store, worker: worker, agents: agents, board: board, endpoints: endpoints, recentLog: recentLog, metrics: metrics,
        logger: logger)
    let monitor = HealthMonitor(
        store: store, agents: agents, cloud: instrumented, context: context, board: board, worker: worker, policy: configuration.policy,
        planner: PromotionPlanner(policy: configuration.failover), metrics: metrics, logger: logger)

    let router = Router()
    // Before the token middleware: the page itself is public and asks for the token.
    router.addWebUI()
    if let token = configuration.token {
        router.middlewares.add(BearerTokenMiddleware(acceptingAnyOf: [token, secret]))
    }
    router.get("/metrics") { _, _ in
        let text = metrics.render() + (await endpoints?.metricsText() ?? "")
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
    router.addBackupFiles(store: backups.files, secret: secret)
    var methods = ManagerRPCMethods.make(for: service)
    ManagerRPCMethods.registerBackupMethods(&methods, backups: backups, archiver: archiver)
    router.addJSONRPC(
        methods,
        configuration: RPCServerConfiguration(uploadDirectory: "\(configuration.stateDirectory)/uploads"),
        logger: logger)
    logger.info("manager ready", metadata: ["cloud": "\(cloud.name)", "address": "\(configuration.address):\(configuration.port)"])
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.address, port: configuration.port), serverName: "conpaassql-manager"),
        services: [worker, monitor, backups] + (endpoints.map { [$0] } ?? []) + (archiver.map { [$0] } ?? []),
        logger: logger)
}

/// The secret shared by the manager and its agents, kept 0600 in the state directory.
enum ServiceSecret {
    static func loadOrCreate(at path: String) throws -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        let secret = RandomSecret.make(length: 40)
        guard FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RPCError.failed("cannot write \(path)")
        }
        return secret
    }
}
