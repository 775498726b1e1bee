import Foundation
import JSONRPC

/// What a COMPLETE backup holds, written beside its files as `manifest.json`.
struct BackupManifest: Codable, Sendable, Equatable {
    struct File: Codable, Sendable, Equatable {
        var name: String
        var bytes: Int64
        var sha256: String
    }

    var id: Int64
    var node: String
    var gtid: String
    var timeline: Int
    var startedAt: Date
    var finishedAt: Date
    var bytes: Int64
    var files: [File]
}

/// The backup store on the manager's disk:
///
/// ```
/// DIR/backups/ID/backup.xbstream.zst   mariadb-backup's stream, zstd-compressed
/// DIR/backups/ID/manifest.json         BackupManifest (SHA-256 of every file)
/// DIR/archive/timeline-T/SEGMENT/      binlogs of one master (SEGMENT: 0001-node-3), as the server names them
/// ```
struct BackupStore: Sendable {
    let directory: String

    static let streamFile = "backup.xbstream.zst"

    /// A failure of the store, naming what is wrong.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func backupDirectory(_ id: Int64) -> String { "\(directory)/backups/\(id)" }
    func streamPath(_ id: Int64) -> String { "\(backupDirectory(id))/\(Self.streamFile)" }
    func archiveDirectory(timeline: Int) -> String { "\(directory)/archive/timeline-\(timeline)" }

    /// Writes the manifest of a finished backup from its files' checksums.
    func writeManifest(_ manifest: BackupManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: "\(backupDirectory(manifest.id))/manifest.json"), options: .atomic)
    }

    func manifest(_ id: Int64) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = FileManager.default.contents(atPath: "\(backupDirectory(id))/manifest.json") else {
            throw Failure(description: "backup \(id) has no manifest.json in \(backupDirectory(id))")
        }
        return try decoder.decode(BackupManifest.self, from: data)
    }

    /// Checks every file of backup `id` against its manifest; throws naming the first that differs.
    func verify(_ id: Int64) async throws {
        let manifest = try manifest(id)
        for file in manifest.files {
            let path = "\(backupDirectory(id))/\(file.name)"
            guard FileManager.default.fileExists(atPath: path) else { throw Failure(description: "backup \(id): \(file.name) is missing") }
            let sum = try await Self.sha256(of: path)
            guard sum == file.sha256 else {
                throw Failure(description: "backup \(id): \(file.name) does not match its checksum (SHA-256 \(sum), manifest \(file.sha256))")
            }
        }
    }

    func remove(_ id: Int64) {
        try? FileManager.default.removeItem(atPath: backupDirectory(id))
    }

    /// The archive's segments of `timeline`, oldest first, each with its binlog files in order
    /// (paths relative to the store, as `/backup-files/` serves them).
    func segments(timeline: Int) -> [[String]] {
        segmentNames(timeline: timeline).map { binlogs(timeline: timeline, segment: $0) }
    }

    /// The newest archived binlog of `timeline` (the one being written), listing only the segments it takes to find it.
    func newestBinlog(timeline: Int) -> String? {
        segmentNames(timeline: timeline).reversed().lazy.compactMap { self.binlogs(timeline: timeline, segment: $0).last }.first
    }

    private func segmentNames(timeline: Int) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: archiveDirectory(timeline: timeline))) ?? []).filter { $0.first?.isNumber == true }.sorted()
    }

    private func binlogs(timeline: Int, segment: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(archiveDirectory(timeline: timeline))/\(segment)")) ?? [])
            .filter(Self.isBinlogFileName).sorted().map { "archive/timeline-\(timeline)/\(segment)/\($0)" }
    }

    /// A binlog file's name as mariadbd writes it: `BASE.NNNNNN` (BASE letters, digits, `_`, `-`).
    static func isBinlogFileName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].count == 6 else { return false }
        return parts[0].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            && parts[1].allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// SHA-256 of a file, by coreutils' `sha256sum`.
    static func sha256(of path: String) async throws -> String {
        let (termination, output) = try await Subprocess.run("/usr/bin/sha256sum", [path], environment: ProcessInfo.processInfo.environment)
        guard termination.succeeded, let sum = String(decoding: output, as: UTF8.self).split(separator: " ").first else {
            throw Failure(description: "sha256sum failed on \(path)")
        }
        return String(sum)
    }
}
