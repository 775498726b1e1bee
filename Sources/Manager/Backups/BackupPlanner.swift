import ConPaaSCore
import Foundation

/// The backup decisions, as pure functions of recorded state: where to take a
/// backup or seed a replica from, when the next scheduled backup is due, which
/// backups retention removes, and what can be restored.
struct BackupPlanner: Sendable {
    let options: BackupOptions

    /// Where a backup is taken: a RUNNING replica (no load on the master), else the writable master.
    static func source(in snapshot: ServiceSnapshot) -> NodeRecord? {
        let replicas = snapshot.liveNodes.filter { $0.role == .slave && $0.state == .running && $0.address != nil }
        return replicas.first ?? snapshot.writableMaster
    }

    /// Where a new replica copies its data from: another RUNNING replica, else the master.
    static func seedSource(for node: NodeRecord, in snapshot: ServiceSnapshot) -> String? {
        let replicas = snapshot.liveNodes.filter { $0.id != node.id && $0.role == .slave && $0.state == .running }
        return replicas.first?.address ?? snapshot.writableMaster?.address
    }

    /// Whether a scheduled backup is due: one every `options.every` (nil: never), counted
    /// from the newest backup that did not fail, or from `serviceStart` when there is none.
    func isDue(now: Date, backups: [BackupRecord], serviceStart: Date) -> Bool {
        guard let every = options.every else { return false }
        let last = backups.filter { $0.state != .failed }.map(\.createdAt).max() ?? serviceStart
        return now.timeIntervalSince(last) >= every.inSeconds
    }

    /// Backups retention removes: COMPLETE ones beyond the newest `options.keep`, and FAILED
    /// ones older than the oldest COMPLETE one kept.
    func toPrune(_ backups: [BackupRecord]) -> [BackupRecord] {
        let complete = backups.filter { $0.state == .complete }.sorted { $0.createdAt > $1.createdAt }
        let removed = Array(complete.dropFirst(options.keep))
        let oldestKept = complete.prefix(options.keep).last?.createdAt
        let staleFailures = backups.filter { backup in
            backup.state == .failed && oldestKept.map { backup.createdAt < $0 } == true
        }
        return removed + staleFailures
    }

    /// The range of times a restore can reach in `timeline`: from the oldest COMPLETE
    /// backup's end to the newest of its end and the archive's last write.
    static func restorable(_ backups: [BackupRecord], timeline: Int, archivedUntil: Date?) -> (from: Date, until: Date)? {
        let complete = backups.filter { $0.state == .complete && $0.timeline == timeline }
        guard let from = complete.compactMap(\.finishedAt).min() else { return nil }
        let newest = complete.compactMap(\.finishedAt).max() ?? from
        return (from, max(newest, archivedUntil ?? newest))
    }

    /// Why `until` cannot be restored from `backup`, or nil when it can.
    static func problem(restoring backup: BackupRecord, until: Date, archivedUntil: Date?) -> String? {
        guard let end = backup.finishedAt else { return "backup \(backup.id ?? 0) is not complete" }
        if until < end {
            return "backup \(backup.id ?? 0) holds the data of \(end.iso8601); restore it to a later time or take an older backup"
        }
        let limit = max(end, archivedUntil ?? end)
        if until > limit {
            return "the binlog archive reaches \(limit.iso8601); \(until.iso8601) is later"
        }
        return nil
    }
}
