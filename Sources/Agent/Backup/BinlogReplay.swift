import AsyncHTTPClient
import ConPaaSCore
import FoundationEssentials
import JSONRPC
import Logging
import NIOCore
import NIOPosix

/// Where a point-in-time replay stops (excluded): a UTC time or a GTID.
enum ReplayStop: Sendable, Equatable {
    /// `YYYY-MM-DD HH:MM:SS`, UTC: no event at or after it is applied.
    case time(String)
    /// No transaction from this one on is applied.
    case gtid(GTIDPosition.GTID)

    /// `mariadb-binlog`'s option for it (its stop GTID is inclusive: the one before).
    var option: String? {
        switch self {
        case .time(let text): return "--stop-datetime=\(text)"
        case .gtid(let gtid):
            guard gtid.sequence > 1 else { return "--stop-position=\(gtid.domain)-\(gtid.server)-0" }
            return "--stop-position=\(gtid.domain)-\(gtid.server)-\(gtid.sequence - 1)"
        }
    }
}

/// Rolls a restored server forward through archived binlogs: each segment (the
/// binlogs of one master, in order) is fetched from the manager and piped
/// through `mariadb-binlog | mariadb`, starting after the GTID position reached
/// so far, so transactions that two segments both hold are applied once. A
/// segment that starts after the position reached is a gap in the archive: the
/// replay stops with an error rather than skip transactions. Each file is fetched
/// with `?after=` the position reached: the manager leaves out the transactions
/// it holds (the binlogs before the backup, mostly).
struct BinlogReplay: Sendable {
    let paths: AgentPaths
    let threadPool: NIOThreadPool
    let secret: String
    let logger: Logger

    /// Applies `segments` (URLs of binlog files) from `start`; answers the position reached.
    func replay(segments: [[String]], from start: GTIDPosition, stop: ReplayStop?, currentPosition: () async throws -> GTIDPosition) async throws -> GTIDPosition {
        var reached = start
        let directory = "\(paths.tmpDirectory)/replay"
        defer { FileSystem.remove(directory) }
        for (index, segment) in segments.enumerated() where !segment.isEmpty {
            FileSystem.remove(directory)
            try FileSystem.createDirectory(directory)
            var files: [String] = []
            for url in segment {
                let file = "\(directory)/\(files.count)-\(url.split(separator: "/").last ?? "binlog")"
                try await download(reached.domains.isEmpty ? url : "\(url)?after=\(reached)", to: file)
                files.append(file)
            }
            if let first = try await firstGTID(in: files[0]), let had = reached.domains[first.domain], first.sequence > had.sequence + 1 {
                throw AgentError.internalFailure(
                    "the binlog archive has a gap: segment \(index + 1) starts at \(first.domain)-\(first.server)-\(first.sequence) but the restore reached \(reached)")
            }
            var arguments = ["--skip-gtid-strict-mode"]
            if !reached.domains.isEmpty { arguments.append("--start-position=\(reached)") }
            if let option = stop?.option { arguments.append(option) }
            let pipeline = try await ProcessPipeline([
                .init(name: "mariadb-binlog", arguments: arguments + files, environment: ["TZ": "UTC"]),
                .init(name: "mariadb", arguments: ["--defaults-extra-file=\(paths.clientOptions)", "--binary-mode", "--batch"]),
            ], logDirectory: paths.logDirectory, label: "replay", feed: false, read: false)
            try await pipeline.finish()
            let now = try await currentPosition()
            if now.contains(reached) { reached = now }
            logger.info("replayed an archive segment", metadata: ["segment": "\(index + 1)", "files": "\(files.count)", "reached": "\(reached)"])
        }
        return reached
    }

    private func download(_ url: String, to file: String) async throws {
        let response = try await PeerHTTPClient.fetch(url, secret: secret, what: "an archived binlog", timeout: .hours(1))
        let handle: BlockingFile
        do {
            handle = try BlockingFile.writing(file, permissions: 0o600)
        } catch {
            throw AgentError.internalFailure("cannot create \(file): \(error)")
        }
        defer { handle.close() }
        for try await chunk in response.body {
            try await threadPool.runIfActive { try chunk.withUnsafeReadableBytes { try handle.write($0) } }
        }
    }

    /// The first transaction's GTID in a binlog file (`#... GTID 0-1-42 trans`), read
    /// from the text of its first 64 KiB, if any.
    private func firstGTID(in file: String) async throws -> GTIDPosition.GTID? {
        let text = "\(file).head.sql"
        defer { FileSystem.remove(text) }
        try await ChildProcess.run(
            "mariadb-binlog", ["--stop-position=65536", "--result-file=\(text)", file], stderrPath: "\(paths.logDirectory)/replay-scan.err")
        for line in try FileSystem.read(text).split(separator: "\n") where line.contains("\tGTID ") {
            let fields = line.split(separator: "\t").last?.split(separator: " ") ?? []
            if fields.count >= 2, let position = GTIDPosition(String(fields[1])), let gtid = position.domains.values.first { return gtid }
        }
        return nil
    }
}
