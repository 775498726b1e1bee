import AsyncHTTPClient
import ConPaaSCore
import FoundationEssentials
import Glibc
import NIOCore

extension AgentNode {
    /// Replaces this node's data with a physical backup fetched from `url` (another
    /// agent's `/backup` stream or a file of the manager's backup store): mariadbd
    /// stops, the stream is unpacked (`zstd -d` when `compressed`, `mbstream -x`)
    /// into a new data directory and prepared, and mariadbd starts on it with this
    /// node's own root password put back by a one-time `init_file`. On any failure
    /// the previous data directory is put back and mariadbd started on it; a
    /// source that cannot answer is found out before mariadbd stops.
    /// Answers the copy's position. Call inside ``change(_:)``.
    func installPhysicalCopy(from url: String, compressed: Bool) async throws -> BackupPosition {
        let previous = "\(paths.root)/data.previous"
        let response = try await PeerHTTPClient.fetch(url, secret: configuration.secret, what: "a backup", timeout: .hours(6))
        try await stopForReplacement()
        FileSystem.remove(previous)
        guard rename(paths.dataDirectory, previous) == 0 else {
            supervisor.send(.start)
            throw AgentError.internalFailure("cannot move the data directory aside: errno \(errno)")
        }
        do {
            try FileSystem.createDirectory(paths.dataDirectory)
            try await unpack(response, from: url, compressed: compressed)
            try await ChildProcess.run(
                "mariadb-backup", ["--prepare", "--target-dir=\(paths.dataDirectory)", "--use-memory=64M"],
                stderrPath: "\(paths.logDirectory)/backup-prepare.err")
            guard let position = BackupPosition.parse(binlogInfo: (try? FileSystem.read("\(paths.dataDirectory)/xtrabackup_binlog_info")) ?? "") else {
                throw AgentError.internalFailure("the backup holds no binlog position (xtrabackup_binlog_info)")
            }
            try writeRootReset()
            let starts = supervisor.starts
            supervisor.send(.start)
            try await waitUntilRunning(startedAfter: starts, timeout: .seconds(300))
            FileSystem.remove(paths.rootReset)
            FileSystem.remove(previous)
            logger.info("installed a physical copy", metadata: ["gtid": "\(position.gtid)"])
            return position
        } catch {
            logger.error("installing a physical copy failed; putting the previous data back: \(error)")
            supervisor.send(.stop)
            try? await waitUntilStopped()
            FileSystem.remove(paths.rootReset)
            FileSystem.remove(paths.dataDirectory)
            _ = rename(previous, paths.dataDirectory)
            supervisor.send(.start)
            throw error
        }
    }

    /// Stops mariadbd without a clean shutdown: its data is about to be replaced (a
    /// new node's), and should the copy fail, InnoDB's crash recovery brings it back.
    private func stopForReplacement() async throws {
        supervisor.send(.stop)
        for _ in 0..<200 where supervisor.agentState == .running {
            try await Task.sleep(for: .milliseconds(10))
        }
        if supervisor.agentState == .stopping, let pid = supervisor.pid { kill(pid, SIGKILL) }
        try await waitUntilStopped()
    }

    private func unpack(_ response: HTTPClientResponse, from url: String, compressed: Bool) async throws {
        var steps: [ProcessPipeline.Step] = []
        if compressed { steps.append(.init(name: "zstd", arguments: ["-d", "-q", "-c"])) }
        steps.append(.init(name: "mbstream", arguments: ["-x", "-C", paths.dataDirectory]))
        let pipeline = try ProcessPipeline(steps, logDirectory: paths.logDirectory, label: "unpack", feed: true, read: false)
        var bytes = 0
        do {
            for try await chunk in response.body {
                bytes += chunk.readableBytes
                try await threadPool.runIfActive { try pipeline.write(chunk) }
            }
        } catch {
            await pipeline.stop()
            throw AgentError.replicationFailed("the backup stream from \(url) broke after \(bytes) bytes: \(error)")
        }
        try await threadPool.runIfActive { try pipeline.finish() }
        logger.info("backup unpacked", metadata: ["bytes": "\(bytes)"])
    }

    /// The statements of the one-time `init_file`: this node's root password
    /// (the copy carries its source's), kept out of the binlog.
    private func writeRootReset() throws {
        guard let password = database.credentials.password(), password.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw AgentError.internalFailure("this node has no root password to put back")
        }
        let statements = """
            SET SESSION sql_log_bin = 0;
            ALTER USER 'root'@'localhost' IDENTIFIED BY '\(password)';
            DROP USER IF EXISTS 'conpaas_rescue'@'localhost';

            """
        try FileSystem.writeAtomically(statements, to: paths.rootReset, privateFile: true)
    }
}
