import Foundation
import GRDB
@testable import Manager
import Testing

@Suite("Stored dates")
struct StoredDateTests {
    static let dates: [Date] = [
        Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.1239), Date(timeIntervalSince1970: 951_782_400.999),
        Date(timeIntervalSince1970: 4_102_444_799.5), Date(timeIntervalSince1970: -1.25), Date(timeIntervalSince1970: 1_795_000_000.9996),
    ]

    @Test("written as GRDB writes them", arguments: dates)
    func written(date: Date) {
        #expect(StoredDate.text(date).databaseValue == date.databaseValue)
    }

    @Test("read back as GRDB reads them, other forms left to GRDB", arguments: dates.map { $0.databaseValue } + [
        "2026-11-30 01:02".databaseValue, "2026-11-30T01:02:03".databaseValue, "2026-11-30 01:02:03.123456789".databaseValue,
        "2026-11-30".databaseValue, "2026-11-30 01:02:03Z".databaseValue, 1_795_000_000.5.databaseValue,
    ])
    func read(value: DatabaseValue) throws {
        let ours = try #require(StoredDate.date(value))
        let grdb = try #require(Date.fromDatabaseValue(value))
        #expect(abs(ours.timeIntervalSince(grdb)) < 1e-6)
    }

    typealias DatedRecord = EncodableRecord & FetchableRecord
    static let datedRecords: [any DatedRecord.Type] = [
        NodeRecord.self, JobRecord.self, TaskRecord.self, ServiceRecord.self, PromotionRecord.self, BackupRecord.self,
        RestoreRecord.self, OrphanAccountRecord.self,
    ]

    @Test("every record with dates stores them this way", arguments: datedRecords)
    func records(type: any DatedRecord.Type) {
        // Through generics, as GRDB asks: the witnesses of its requirements.
        func strategies<T: EncodableRecord & FetchableRecord>(_: T.Type) -> (DatabaseDateEncodingStrategy, DatabaseDateDecodingStrategy) {
            (T.databaseDateEncodingStrategy(for: "createdAt"), T.databaseDateDecodingStrategy(for: "createdAt"))
        }
        guard case (.custom(let write), .custom(let read)) = strategies(type) else {
            Issue.record("\(type) uses GRDB's own date strategies")
            return
        }
        let date = Date(timeIntervalSince1970: 1_795_000_000.5)
        #expect(write(date)?.databaseValue == "2026-11-18 11:06:40.500".databaseValue)
        #expect(read("2026-11-18 11:06:40.500".databaseValue) == date)
    }

    @Test("nonsense is no date")
    func nonsense() {
        #expect(StoredDate.date("yesterday".databaseValue) == nil)
    }
}
