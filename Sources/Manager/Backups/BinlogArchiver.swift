import ConPaaSCore
import Foundation
import Logging
import ServiceLifecycle

/// Archives the writable master's binary logs into the backup store as they are
/// written (`mariadb-binlog --read-from-remote-server --raw --stop-never`, with a
/// replication account of its own), one segment directory per master: when a
/// switchover or failover moves the master, a new segment starts with the new
/// master's binlogs, which hold every transaction it replicated, so a restore
/// replays the segments in order by GTID without a gap.
final class BinlogArchiver: Service, Sendable {
    let store: ManagerStore
    let files: BackupStore
    let agents: AgentDirectory
    let managerAddress: String
    let remote: RemoteCopy?
    let metrics: ManagerMetrics
    let logger: Logger
    private let process: ArchiverProcess

    init(store: ManagerStore, files: BackupStore, agents: AgentDirectory, managerAddress: String, remote: RemoteCopy?, metrics: ManagerMetrics, logger: Logger) {
        self.store = store
        self.files = files
        self.agents = agents
        self.managerAddress = managerAddress
        self.remote = remote
        self.metrics = metrics
        self.logger = logger
        self.process = ArchiverProcess(directory: "\(files.directory)/archiver", logger: logger)
    }

    func run() async throws {
        process.stopLeftover()
        var lastRemoteCopy = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await step()
            if let remote, ContinuousClock.now - lastRemoteCopy > RemoteCopy.archiveInterval {
                lastRemoteCopy = .now
                await remote.copyArchive()
            }
            try? await Task.sleep(for: .seconds(1))
        }
        await process.stop()
    }

    /// The time of the archive's last write in `timeline`, if anything was archived: the
    /// newest file of the newest segment is the one being written (one stat, not one per file).
    func archivedUntil(timeline: Int) -> Date? {
        guard let newest = files.newestBinlog(timeline: timeline) else { return nil }
        return (try? FileManager.default.attributesOfItem(atPath: "\(files.directory)/\(newest)"))?[.modificationDate] as? Date
    }

    private func step() async {
        do {
            let snapshot = store.snapshot()
            let timeline = snapshot.service.timeline
            metrics.archiveDelay(seconds: archivedUntil(timeline: timeline).map { Date().timeIntervalSince($0) } ?? -1)
            guard snapshot.service.lifecycle == .active, let master = snapshot.writableMaster, let address = master.address else {
                await process.stop()
                return
            }
            let segment = segmentDirectory(for: master, timeline: timeline)
            guard !process.isArchiving(into: segment) else { return }
            await process.stop()
            try FileManager.default.createDirectory(atPath: segment, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: process.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let account = try await agents.client(for: address).call("create_replication_user", params: ["replica_host": .string(managerAddress)])
            guard let user = account["user"]?.stringValue, let password = account["password"]?.stringValue else {
                throw BackupStore.Failure(description: "the master gave no archive account")
            }
            let first = ((try? FileManager.default.contentsOfDirectory(atPath: segment)) ?? []).filter(BackupStore.isBinlogFileName).max() ?? "mysql-bin.000001"
            try process.start(host: address, user: user, password: password, segment: segment, firstFile: first)
            logger.info("archiving the master's binlogs", metadata: ["node.id": "\(master.id)", "segment": "\(segment)", "from": "\(first)"])
        } catch {
            logger.error("binlog archive: \(error)")
        }
    }

    /// The segment of `master`: the newest one if it is the master's (a restart
    /// carries on in it), else a new one numbered after it.
    private func segmentDirectory(for master: NodeRecord, timeline: Int) -> String {
        let root = files.archiveDirectory(timeline: timeline)
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.first?.isNumber == true }.sorted()
        if let last = existing.last, last.hasSuffix("-\(master.id)") { return "\(root)/\(last)" }
        let number = (existing.last.flatMap { Int($0.prefix(4)) } ?? 0) + 1
        return "\(root)/\(String(format: "%04d", number))-\(master.id)"
    }
}
