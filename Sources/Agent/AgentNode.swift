import ConPaaSCore
import FoundationEssentials
import Logging
import MariaDB
import NIOPosix

/// One agent's MariaDB node: the supervised server, its settings and the
/// operations the agent's RPC methods perform on it.
///
/// Operations that change the server run one at a time.
public final class AgentNode: Sendable {
    let configuration: AgentConfiguration
    let paths: AgentPaths
    let store: AgentStateStore
    let supervisor: MariaDBSupervisor
    let database: LocalDatabase
    let replication: ReplicationControl
    let threadPool: NIOThreadPool
    let logger: Logger
    let sampler: StatusSampler
    /// Serializes every change to the server and to the node's role.
    let operations = AsyncSerialLock()

    /// Creates the directory layout and loads what a previous run left.
    /// Call ``initializeDataDirectoryIfNeeded()`` before running the supervisor.
    public init(configuration: AgentConfiguration, threadPool: NIOThreadPool, logger: Logger) throws {
        self.configuration = configuration
        self.paths = AgentPaths(root: configuration.dataDirectory)
        self.threadPool = threadPool
        self.logger = logger
        for directory in [paths.root, paths.runDirectory, paths.logDirectory, paths.tmpDirectory, paths.uploads] {
            try FileSystem.createDirectory(directory)
        }
        let store = try AgentStateStore(path: paths.state)
        let database = LocalDatabase(paths: paths, threadPool: threadPool, logger: logger)
        let paths = self.paths
        let options: @Sendable () -> ServerOptions = {
            let state = store.value
            return ServerOptions(
                paths: paths, bindAddress: configuration.address, port: configuration.mysqlPort,
                serverID: state.serverID ?? configuration.effectiveServerID,
                small: configuration.small,
                overrides: state.overrides, runAsRoot: getuid() == 0,
                initFile: FileSystem.exists(paths.rootReset) ? paths.rootReset : nil)
        }
        self.store = store
        self.database = database
        self.replication = ReplicationControl(database: database)
        let supervisor = MariaDBSupervisor(
            paths: paths, small: configuration.small, startsAtLaunch: !(configuration.awaitRestore && !paths.isInitialized),
            threadPool: threadPool, logger: logger,
            prepare: { try FileSystem.writeAtomically(options().render(), to: paths.myCnf) },
            onReady: { try await database.secureRootIfNeeded() })
        self.supervisor = supervisor
        self.sampler = StatusSampler(database: database, supervisor: supervisor, store: store, logger: logger)
    }

    /// Prepares an empty data directory: a copy of the configured template when it
    /// holds one (root has no password in it; the first start gives this node its
    /// own), else `mariadb-install-db`. Does nothing on an existing one, nor on a
    /// node that awaits a restore (``awaitsRestore``).
    public func initializeDataDirectoryIfNeeded() async throws {
        guard !paths.isInitialized, !configuration.awaitRestore else { return }
        if let template = configuration.dataDirectoryTemplate, FileSystem.exists("\(template)/mysql") {
            logger.info("copying the prepared data directory", metadata: ["template": "\(template)"])
            let copy = "\(paths.dataDirectory).copy"
            FileSystem.remove(copy)
            try await ChildProcess.run("cp", ["-a", template, copy], stderrPath: "\(paths.logDirectory)/install-db.log")
            FileSystem.remove(paths.dataDirectory)
            guard rename(copy, paths.dataDirectory) == 0 else { throw AgentError.internalFailure("cannot move \(copy) into place: errno \(errno)") }
            return
        }
        logger.info("initializing a new data directory", metadata: ["datadir": "\(paths.dataDirectory)"])
        try await ChildProcess.run("mariadb-install-db", Self.installArguments(dataDirectory: paths.dataDirectory, tmpDirectory: paths.tmpDirectory),
            stderrPath: "\(paths.logDirectory)/install-db.log")
    }

    /// The data directory template under `directory` (`datadir-template`), made by
    /// `mariadb-install-db` with the agents' own arguments if it is not there yet; for
    /// `--datadir-template`. Root has no password in it: each node's first start sets its own.
    public static func prepareDataDirectoryTemplate(in directory: String) async throws -> String {
        let template = "\(directory)/datadir-template"
        guard !FileSystem.exists("\(template)/mysql") else { return template }
        let work = "\(template).new"
        FileSystem.remove(work)
        try FileSystem.createDirectory("\(work)-tmp")
        defer { FileSystem.remove("\(work)-tmp") }
        try await ChildProcess.run(
            "mariadb-install-db", installArguments(dataDirectory: work, tmpDirectory: "\(work)-tmp"), stderrPath: "\(directory)/datadir-template.log")
        FileSystem.remove(template)
        guard rename(work, template) == 0 else { throw AgentError.internalFailure("cannot move \(work) into place: errno \(errno)") }
        return template
    }

    /// `mariadb-install-db`'s arguments for a data directory this agent can use (and a template).
    static func installArguments(dataDirectory: String, tmpDirectory: String) -> [String] {
        var arguments = [
            "--no-defaults", "--datadir=\(dataDirectory)", "--auth-root-authentication-method=normal",
            "--skip-test-db", "--tmpdir=\(tmpDirectory)",
        ]
        if getuid() == 0 { arguments.append("--user=root") }
        return arguments
    }

    /// The node's role.
    var role: NodeRole { store.value.role }

    /// Whether this node waits for `restore_backup` to install its first data: a
    /// restore's new master (``AgentConfiguration/awaitRestore``) with no data directory yet.
    var awaitsRestore: Bool { configuration.awaitRestore && !paths.isInitialized }

    /// The `server_id` in force.
    var serverID: UInt32 { store.value.serverID ?? configuration.effectiveServerID }

    /// Runs a change to the server once earlier changes have finished, after
    /// checking that the server is up.
    func change<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await operations.run {
            guard supervisor.agentState == .running else { throw AgentError.serverNotRunning }
            return try await body()
        }
    }

    /// Waits until the server is running (a process started after the
    /// `startedAfter`-th one, when given), or fails after `timeout`.
    func waitUntilRunning(startedAfter starts: Int = 0, timeout: Duration = .seconds(60)) async throws {
        let running = await supervisor.wait(until: .now + timeout) { $0.starts > starts && $0.agentState == .running }
        guard running else {
            try Task.checkCancellation()
            throw AgentError.serverNotRunning
        }
    }
}
