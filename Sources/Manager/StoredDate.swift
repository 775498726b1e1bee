import Foundation
import GRDB

// The records' dates are stored the way GRDB stores them (`2026-11-30 01:02:03.456`,
// UTC, milliseconds) but written and read by ``StoredDate``: GRDB's own `DateFormatter`
// and `Calendar` pull ICU's locale and calendar data into the manager's memory (about
// 3 MiB of RSS) for what `gmtime_r` and `timegm` do. Each record states it itself: a
// default in a protocol extension lost to GRDB's own as the witness of its requirement.
extension NodeRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension JobRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension TaskRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension ServiceRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension PromotionRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension BackupRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension RestoreRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

extension OrphanAccountRecord {
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { StoredDate.encoding }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy { StoredDate.decoding }
}

/// The stored form of the records' dates.
enum StoredDate {
    static let encoding = DatabaseDateEncodingStrategy.custom { text($0) }
    static let decoding = DatabaseDateDecodingStrategy.custom { date($0) }

    /// `yyyy-MM-dd HH:mm:ss.SSS` in UTC, to the nearest millisecond (as GRDB writes it).
    static func text(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var (whole, millisecond) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        if millisecond < 0 { (whole, millisecond) = (whole - 1, millisecond + 1000) }
        let fields = UTCFields(seconds: time_t(whole))
        return "\(fields.day) \(fields.time).\(UTCFields.padded(millisecond, 3))"
    }

    /// The date of a stored value: this form (seconds and fraction optional, `T` for
    /// the space allowed, milliseconds kept) read here; anything else as GRDB reads it.
    static func date(_ value: DatabaseValue) -> Date? {
        guard case .string(let text) = value.storage else { return Date.fromDatabaseValue(value) }
        return parse(Array(text.utf8)) ?? Date.fromDatabaseValue(value)
    }

    private static func parse(_ bytes: [UInt8]) -> Date? {
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard byte &- UInt8(ascii: "0") < 10 else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func skip(_ allowed: UInt8...) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        var parts = tm()
        guard let year = number(4), skip(UInt8(ascii: "-")), let month = number(2), skip(UInt8(ascii: "-")), let day = number(2),
              skip(UInt8(ascii: " "), UInt8(ascii: "T")), let hour = number(2), skip(UInt8(ascii: ":")), let minute = number(2)
        else { return nil }
        let second = skip(UInt8(ascii: ":")) ? number(2) : 0
        guard let second else { return nil }
        var fraction = 0.0
        if skip(UInt8(ascii: ".")) {
            var (digits, scale) = (0, 1.0)
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
                // Milliseconds, as GRDB reads them: further digits are ignored.
                if scale < 1000 { (digits, scale) = (digits * 10 + Int(bytes[index] - UInt8(ascii: "0")), scale * 10) }
                index += 1
            }
            fraction = Double(digits) / scale
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (Int32(year - 1900), Int32(month - 1), Int32(day))
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (Int32(hour), Int32(minute), Int32(second))
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + fraction)
    }
}
