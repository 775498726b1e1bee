import AsyncHTTPClient
import ConPaaSCore
import Foundation
import JSONRPC
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Runs backup and restore jobs, scheduled backups and retention: at once when
/// one is requested (``requestBackup()``, ``wake()``) and each second it
/// takes the RUNNING backups it is not yet taking, checks the files of restores
/// that wait for it, starts a scheduled backup when one is due and prunes.
final class BackupService: Service, Sendable {
    let store: ManagerStore
    let files: BackupStore
    let planner: BackupPlanner
    let agents: AgentDirectory
    let remote: RemoteCopy?
    let worker: ProvisioningWorker
    let metrics: ManagerMetrics
    let logger: Logger
    private let busy = Mutex<Set<Int64>>([])
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    init(store: ManagerStore, options: BackupOptions, agents: AgentDirectory, worker: ProvisioningWorker, metrics: ManagerMetrics, logger: Logger) {
        self.store = store
        self.files = BackupStore(directory: options.directory)
        self.planner = BackupPlanner(options: options)
        self.agents = agents
        self.remote = options.remote.map { RemoteCopy(remote: $0, configFile: options.rcloneConfig, store: BackupStore(directory: options.directory), logger: logger) }
        self.worker = worker
        self.metrics = metrics
        self.logger = logger
        (wakeups, wakeup) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func run() async throws {
        for backup in (try? await store.failInterruptedBackups()) ?? [] {
            logger.warning("backup \(backup.id ?? 0) was interrupted by a manager stop: FAILED, files removed")
            files.remove(backup.id ?? 0)
        }
        let ticker = wakeup
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    ticker.yield()
                }
            }
            ticker.yield()
            for await _ in wakeups.cancelOnGracefulShutdown() {
                await round(in: &group)
            }
            group.cancelAll()
        }
    }

    /// Starts a backup now (`create_backup`, or the schedule).
    func requestBackup() async throws -> JobRecord {
        let snapshot = store.snapshot()
        guard let source = BackupPlanner.source(in: snapshot) else {
            throw RPCError.failed("no RUNNING node to take a backup on")
        }
        let (job, _) = try await store.startBackup(on: source)
        wakeup.yield()
        logger.info("backup requested", metadata: ["job.id": "\(job.id ?? 0)", "node.id": "\(source.id)"])
        return job
    }

    private func round(in group: inout DiscardingTaskGroup) async {
        do {
            let backups = try await store.backups()
            for backup in backups where backup.state == .running && claim(backup.jobID) {
                group.addTask { [self] in
                    defer { release(backup.jobID) }
                    await take(backup)
                }
            }
            for restore in try await store.unverifiedRestores() where claim(restore.jobID) {
                group.addTask { [self] in
                    defer { release(restore.jobID) }
                    await verify(restore)
                }
            }
            let snapshot = store.snapshot()
            if snapshot.service.lifecycle == .active, snapshot.runningJobs.isEmpty, BackupPlanner.source(in: snapshot) != nil,
               planner.isDue(now: Date(), backups: backups, serviceStart: snapshot.service.createdAt) {
                _ = try await requestBackup()
            }
            for backup in planner.toPrune(backups) {
                _ = try await store.deleteBackup(backup.id ?? 0)
                files.remove(backup.id ?? 0)
                logger.info("backup \(backup.id ?? 0) removed by retention")
            }
        } catch {
            logger.error("backup round failed: \(error)")
        }
    }

    private func take(_ backup: BackupRecord) async {
        var backup = backup
        let id = backup.id ?? 0
        let started = ContinuousClock.now
        let token = RandomSecret.make(length: 16)
        do {
            guard let address = backup.nodeAddress else { throw BackupStore.Failure(description: "the node has no address") }
            try FileManager.default.createDirectory(atPath: files.backupDirectory(id), withIntermediateDirectories: true)
            let host = address.contains(":") ? "[\(address)]" : address
            let bytes = try await receive("http://\(host):\(agents.agentPort)/backup?token=\(token)&compress=zstd", to: files.streamPath(id))
            let result = try await agents.client(for: address).call("backup_result", kind: .get, params: ["token": .string(token)])
            let sum = try await BackupStore.sha256(of: files.streamPath(id))
            backup.gtid = result["gtid"]?.stringValue ?? ""
            backup.bytes = bytes
            let manifest = BackupManifest(
                id: id, node: backup.nodeID ?? "?", gtid: backup.gtid ?? "", timeline: backup.timeline, startedAt: backup.createdAt, finishedAt: Date(),
                bytes: bytes, files: [.init(name: BackupStore.streamFile, bytes: bytes, sha256: sum)])
            try files.writeManifest(manifest)
            backup.state = .complete
            logger.info("backup complete", metadata: ["backup.id": "\(id)", "bytes": "\(bytes)", "gtid": "\(backup.gtid ?? "")"])
        } catch {
            backup.state = .failed
            backup.failure = "\(error)"
            files.remove(id)
            logger.error("backup \(id) failed: \(error)")
        }
        do {
            try await store.finishBackup(backup)
        } catch {
            logger.error("cannot record the end of backup \(id): \(error)")
        }
        metrics.backupFinished(complete: backup.state == .complete, duration: ContinuousClock.now - started, bytes: backup.bytes, at: Date().timeIntervalSince1970)
        if backup.state == .complete { await remote?.copyBackup(id) }
    }

    /// Streams `url` into `path`; answers the bytes written. A cut stream is an error.
    private func receive(_ url: String, to path: String) async throws -> Int64 {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(agents.secret)")
        let response = try await agents.httpClient.execute(request, timeout: .hours(12))
        guard response.status == .ok else {
            let reason = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            throw BackupStore.Failure(description: "the agent refused the backup: HTTP \(response.status.code) \(reason)")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw BackupStore.Failure(description: "cannot create \(path)")
        }
        defer { try? handle.close() }
        var bytes: Int64 = 0
        for try await chunk in response.body {
            bytes += Int64(chunk.readableBytes)
            try await NIOThreadPool.singleton.runIfActive { try handle.write(contentsOf: Data(chunk.readableBytesView)) }
        }
        try await NIOThreadPool.singleton.runIfActive { try handle.synchronize() }
        return bytes
    }

    private func verify(_ restore: RestoreRecord) async {
        do {
            try await files.verify(restore.backupID)
            let node = try await store.restoreVerified(job: restore.jobID)
            logger.info("backup files checked; booting the restored master", metadata: ["job.id": "\(restore.jobID)", "node.id": "\(node.id)"])
            worker.wake()
        } catch {
            logger.error("restore refused: \(error)")
            try? await store.failRestore(job: restore.jobID, reason: "\(error); nothing was booted")
        }
    }

    /// Starts a round now (a restore was just recorded).
    func wake() { wakeup.yield() }

    private func claim(_ job: Int64) -> Bool { busy.withLock { $0.insert(job).inserted } }
    private func release(_ job: Int64) { _ = busy.withLock { $0.remove(job) } }
}
