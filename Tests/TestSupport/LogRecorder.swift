import Logging
import Synchronization

/// Keeps every event a logger made, at every level: what a test looks for
/// in the logs (an error reported, a secret never written).
public final class LogRecorder: Sendable {
    /// One logged event, with its metadata merged.
    public struct Entry: Sendable {
        public let level: Logger.Level
        public let message: String
        public let metadata: Logger.Metadata
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// A logger at trace level that writes here.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }

    /// Every event so far.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Every event so far as a line of text: level, message, metadata.
    public var lines: [String] { all.map { "\($0.level) \($0.message) \($0.metadata)" } }

    fileprivate func append(_ entry: Entry) { entries.withLock { $0.append(entry) } }
}

private struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        recorder.append(.init(level: event.level, message: event.message.description, metadata: merged))
    }
}
