import ConPaaSCore
import Foundation
import Testing
@testable import Manager

/// The backup decisions, without clouds or sockets.
@Suite("Backup planner")
struct BackupPlannerTests {
    private let start = Date(timeIntervalSince1970: 1_000_000)

    private func backup(_ id: Int64, _ state: BackupRecord.State, at hours: Double, timeline: Int = 0) -> BackupRecord {
        BackupRecord(
            id: id, jobID: id, state: state, timeline: timeline, createdAt: start.addingTimeInterval(hours * 3600),
            finishedAt: state == .running ? nil : start.addingTimeInterval(hours * 3600 + 60))
    }

    @Test("A scheduled backup is due one interval after the newest backup that did not fail, or after the service started")
    func schedule() {
        let planner = BackupPlanner(options: BackupOptions(directory: "/x", every: .seconds(3600)))
        #expect(!planner.isDue(now: start.addingTimeInterval(3599), backups: [], serviceStart: start))
        #expect(planner.isDue(now: start.addingTimeInterval(3600), backups: [], serviceStart: start))
        let backups = [backup(1, .complete, at: 1), backup(2, .failed, at: 2)]
        #expect(!planner.isDue(now: start.addingTimeInterval(2 * 3600 - 1), backups: backups, serviceStart: start))
        #expect(planner.isDue(now: start.addingTimeInterval(2 * 3600), backups: backups, serviceStart: start))
        #expect(!BackupPlanner(options: BackupOptions(directory: "/x", every: nil)).isDue(now: .distantFuture, backups: [], serviceStart: start))
    }

    @Test("Retention keeps the newest COMPLETE backups and drops failures older than the oldest kept")
    func retention() {
        let planner = BackupPlanner(options: BackupOptions(directory: "/x", keep: 2))
        let backups = [backup(1, .complete, at: 1), backup(2, .failed, at: 2), backup(3, .complete, at: 3), backup(4, .failed, at: 4),
                       backup(5, .complete, at: 5), backup(6, .running, at: 6)]
        #expect(planner.toPrune(backups).map(\.id) == [1, 2])
    }

    @Test("The restorable range runs from the oldest COMPLETE backup of the timeline to the archive's last write; until is checked against it")
    func restorable() throws {
        let backups = [backup(1, .complete, at: 1), backup(2, .complete, at: 3), backup(3, .complete, at: 5, timeline: 1), backup(4, .failed, at: 0)]
        let archived = start.addingTimeInterval(4 * 3600)
        let range = try #require(BackupPlanner.restorable(backups, timeline: 0, archivedUntil: archived))
        #expect(range.from == start.addingTimeInterval(3600 + 60))
        #expect(range.until == archived)
        #expect(BackupPlanner.restorable([backup(4, .failed, at: 0)], timeline: 0, archivedUntil: archived) == nil)
        #expect(BackupPlanner.problem(restoring: backups[0], until: start.addingTimeInterval(2 * 3600), archivedUntil: archived) == nil)
        #expect(BackupPlanner.problem(restoring: backups[0], until: start, archivedUntil: archived)?.contains("later time") == true)
        #expect(BackupPlanner.problem(restoring: backups[0], until: archived.addingTimeInterval(1), archivedUntil: archived)?.contains("archive reaches") == true)
    }

    @Test("Archive file names and mariadb-binlog's stop time are read and written without ICU")
    func namesAndTimes() {
        #expect(BackupStore.isBinlogFileName("mysql-bin.000042"))
        for name in ["mysql-bin.42", "mysql-bin.0000420", ".000001", "mysql bin.000001", "mysql-bin.00000a", "a.b.000001", "mysql-bin.００００01"] {
            #expect(!BackupStore.isBinlogFileName(name), "\(name)")
        }
        #expect(ProvisioningWorker.binlogTime(Date(timeIntervalSince1970: 1_764_457_522.9)) == "2025-11-29 23:05:22")
    }
}
