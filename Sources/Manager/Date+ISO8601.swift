import Foundation

extension Date {
    /// The date in UTC as `Date.iso8601` writes it (`2026-11-29T23:20:22Z`,
    /// whole seconds), without building a format style and calendar on each call.
    var iso8601: String {
        let fields = UTCFields(seconds: time_t(timeIntervalSince1970.rounded(.down)))
        return "\(fields.day)T\(fields.time)Z"
    }
}

/// A moment's UTC day (`2026-11-29`) and time of day (`23:20:22`), zero-padded,
/// from `gmtime_r`: the textual dates the manager writes share them.
struct UTCFields {
    let day: String
    let time: String

    init(seconds: time_t) {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        day = "\(Self.padded(parts.tm_year + 1900, 4))-\(Self.padded(parts.tm_mon + 1, 2))-\(Self.padded(parts.tm_mday, 2))"
        time = "\(Self.padded(parts.tm_hour, 2)):\(Self.padded(parts.tm_min, 2)):\(Self.padded(parts.tm_sec, 2))"
    }

    /// `value` in decimal, with leading zeros up to `width` digits.
    static func padded(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
