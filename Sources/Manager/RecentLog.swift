import Foundation
import Logging
import Synchronization

/// The manager's recent log lines, kept in memory for `getLog`.
final class RecentLog: Sendable {
    private let lines = Mutex<[String]>([])
    private let capacity: Int

    init(capacity: Int = 2000) {
        self.capacity = capacity
    }

    func append(_ line: String) {
        lines.withLock { lines in
            lines.append(line)
            if lines.count > capacity { lines.removeFirst(lines.count - capacity) }
        }
    }

    /// The kept lines, oldest first, one per line.
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

/// A log handler that writes to standard error and to a ``RecentLog``.
/// Values of metadata are logged as given: callers never put secrets in them.
public struct RecentLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let recent: RecentLog

    init(label: String, recent: RecentLog) {
        self.label = label
        self.recent = recent
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Date().iso8601) \(event.level) \(label): \(fields.isEmpty ? "" : fields + " ")\(event.message)"
        recent.append(line)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
