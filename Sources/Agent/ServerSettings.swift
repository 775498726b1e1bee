/// The server variables `set_server_configuration` may change, and how to check a value.
enum ServerSettings {
    /// A checked value, ready for `SET GLOBAL` and for my.cnf.
    enum Value: Sendable, Equatable {
        case integer(Int)
        case onOff(Bool)

        var configText: String {
            switch self {
            case .integer(let number): String(number)
            case .onOff(let on): on ? "ON" : "OFF"
            }
        }
    }

    private enum Kind {
        case integer(ClosedRange<Int>)
        case onOff
    }

    private static let whitelist: [String: Kind] = [
        "max_connections": .integer(10...10_000),
        "wait_timeout": .integer(1...31_536_000),
        "interactive_timeout": .integer(1...31_536_000),
        "long_query_time": .integer(0...3600),
        "slow_query_log": .onOff,
        "general_log": .onOff,
        "max_allowed_packet": .integer(1024...1_073_741_824),
        "innodb_buffer_pool_size": .integer(5_242_880...68_719_476_736),
        "tmp_table_size": .integer(1024...17_179_869_184),
        "max_heap_table_size": .integer(16_384...17_179_869_184),
        "sort_buffer_size": .integer(32_768...1_073_741_824),
        "join_buffer_size": .integer(128...1_073_741_824),
        "table_open_cache": .integer(10...1_048_576),
        "thread_cache_size": .integer(0...16_384),
        "query_cache_size": .integer(0...1_073_741_824),
    ]

    /// The names that may be set, sorted.
    static var names: [String] { whitelist.keys.sorted() }

    /// Checks `text` for the variable `name`; the error says why it was refused.
    static func parse(name: String, text: String) throws(AgentError) -> Value {
        guard let kind = whitelist[name] else {
            throw .invalidInput("'\(name)' cannot be changed; allowed: \(names.joined(separator: ", "))")
        }
        switch kind {
        case .onOff:
            switch text.uppercased() {
            case "ON", "1", "TRUE": return .onOff(true)
            case "OFF", "0", "FALSE": return .onOff(false)
            default: throw .invalidInput("\(name) takes ON or OFF")
            }
        case .integer(let range):
            guard let number = Int(text), range.contains(number) else {
                throw .invalidInput("\(name) takes a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return .integer(number)
        }
    }
}
