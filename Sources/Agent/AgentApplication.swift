import Hummingbird
import JSONRPC
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Builds the agent: its node (data directory initialized), the mariadbd
/// supervisor, the manager reporter and the HTTP server for its JSON-RPC
/// methods and the snapshot stream. Run the result with `runService()`.
public func buildAgentApplication(
    configuration: AgentConfiguration, logger: Logger, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    // A dedicated pool: seeding and dump loads hold threads for a long time.
    let threadPool = NIOThreadPool(numberOfThreads: 8)
    let node = try await startingThreadPool(threadPool) {
        let node = try AgentNode(configuration: configuration, threadPool: threadPool, logger: logger)
        let paths = node.paths
        if let pid = try await threadPool.runIfActive({ LeftoverServer.stop(pidFile: paths.pidFile, myCnf: paths.myCnf) }) {
            logger.warning("stopped the mariadbd an earlier agent left running", metadata: ["pid": "\(pid)"])
        }
        try await node.initializeDataDirectoryIfNeeded()
        return node
    }

    let backups = PhysicalBackupSource(paths: node.paths, threadPool: threadPool, logger: logger)
    let router = Router()
    router.middlewares.add(BearerTokenMiddleware(secret: configuration.secret))
    router.addJSONRPC(
        AgentRPCMethods.make(for: node, backups: backups),
        configuration: RPCServerConfiguration(uploadDirectory: node.paths.uploads, maxUploadBytes: configuration.maxUploadBytes),
        logger: logger)
    let snapshots = SnapshotSource(paths: node.paths, threadPool: threadPool, freeze: DDLFreeze(database: node.database), logger: logger)
    router.get("/snapshot") { _, _ -> Response in
        guard node.role != .slave else {
            return Response(status: .conflict, body: ResponseBody(byteBuffer: ByteBuffer(string: "a replica cannot serve snapshots\n")))
        }
        guard node.supervisor.agentState == .running else {
            return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "MariaDB is not running\n")))
        }
        return try snapshots.response()
    }

    router.get("/backup") { request, _ -> Response in
        guard let token = request.uri.queryParameters.get("token"), (8...64).contains(token.count), token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: "a token (8-64 letters and digits) is required\n")))
        }
        guard node.supervisor.agentState == .running else {
            return Response(status: .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: "MariaDB is not running\n")))
        }
        return try backups.response(token: token, compressed: request.uri.queryParameters.get("compress") == "zstd")
    }

    var services: [any Service] = [ThreadPoolService(threadPool: threadPool), node.supervisor, node.sampler]
    let listening = ListeningSignal()
    if let managerURL = configuration.managerURL {
        services.append(ManagerReporter(
            node: node, client: RPCClient(baseURL: managerURL, token: configuration.secret, httpClient: PeerHTTPClient.shared, timeout: .seconds(10)),
            interval: configuration.registerInterval, listening: listening, logger: logger))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.address, port: configuration.port), serverName: "conpaassql-agent"),
        services: services,
        onServerRunning: { channel in
            listening.set()
            await onServerRunning(channel)
        },
        logger: logger)
}

/// Starts `threadPool` and runs `body`; if `body` throws, the pool is shut down
/// before the error goes on (nothing else would ever stop its threads).
func startingThreadPool<T>(_ threadPool: NIOThreadPool, _ body: () async throws -> T) async throws -> T {
    threadPool.start()
    do {
        return try await body()
    } catch {
        try? await threadPool.shutdownGracefully()
        throw error
    }
}
