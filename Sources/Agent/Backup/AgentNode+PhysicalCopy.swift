import AsyncHTTPClient
import ConPaaSCore
import FoundationEssentials
import Glibc
import NIOCore

extension AgentNode {
    /// Makes a physical backup fetched from `url` (another agent's `/backup` stream or
    /// a file of the manager's backup store) this node's data: the stream is unpacked
    /// (`zstd -d` when `compressed`, `mbstream -x`) into a new directory and prepared
    /// while the current server runs on; then mariadbd stops, the copy takes the data
    /// directory's place and mariadbd starts on it with this node's root password put
    /// back by a one-time `init_file`. A node that awaits a restore has neither server
    /// nor data yet: the copy is its first, and mariadbd's first start. On any failure
    /// the previous data directory is put back and mariadbd started on it (a node
    /// awaiting a restore awaits it again).
    /// Answers the copy's position. Call inside ``operations``.
    func installPhysicalCopy(from url: String, compressed: Bool) async throws -> BackupPosition {
        let incoming = "\(paths.root)/data.incoming"
        let previous = "\(paths.root)/data.previous"
        let replacing = !awaitsRestore
        let response = try await PeerHTTPClient.fetch(url, secret: configuration.secret, what: "a backup", timeout: .hours(6))
        let position: BackupPosition
        do {
            await FileSystem.remove(on: threadPool, incoming)
            try FileSystem.createDirectory(incoming)
            try await unpack(response, into: incoming, from: url, compressed: compressed)
            try await ChildProcess.run(
                "mariadb-backup", ["--prepare", "--target-dir=\(incoming)", "--use-memory=64M"],
                stderrPath: "\(paths.logDirectory)/backup-prepare.err")
            guard let parsed = BackupPosition.parse(binlogInfo: (try? FileSystem.read("\(incoming)/xtrabackup_binlog_info")) ?? "") else {
                throw AgentError.internalFailure("the backup holds no binlog position (xtrabackup_binlog_info)")
            }
            position = parsed
            try writeRootReset()
        } catch {
            await FileSystem.remove(on: threadPool, incoming, paths.rootReset)
            throw error
        }
        if replacing {
            try await stopForReplacement()
            await FileSystem.remove(on: threadPool, previous)
            guard rename(paths.dataDirectory, previous) == 0 else {
                let failure = AgentError.internalFailure("cannot move the data directory aside: errno \(errno)")
                await FileSystem.remove(on: threadPool, incoming, paths.rootReset)
                supervisor.send(.start)
                throw failure
            }
        }
        var started = false
        do {
            await FileSystem.remove(on: threadPool, paths.dataDirectory)
            guard rename(incoming, paths.dataDirectory) == 0 else { throw AgentError.internalFailure("cannot move the copy into place: errno \(errno)") }
            let starts = supervisor.starts
            supervisor.send(.start)
            started = true
            try await waitUntilRunning(startedAfter: starts, timeout: .seconds(300))
            await FileSystem.remove(on: threadPool, paths.rootReset, previous)
            logger.info("installed a physical copy", metadata: ["gtid": "\(position.gtid)"])
            return position
        } catch {
            logger.error("installing a physical copy failed; putting the previous data back: \(error)")
            if started {
                supervisor.send(.stop)
                try? await waitUntilStopped()
            }
            await FileSystem.remove(on: threadPool, paths.rootReset, paths.dataDirectory, incoming)
            if replacing {
                _ = rename(previous, paths.dataDirectory)
                supervisor.send(.start)
            }
            throw error
        }
    }

    /// Stops mariadbd without a clean shutdown: its data is about to be replaced (a
    /// new node's), and should the copy fail, InnoDB's crash recovery brings it back.
    private func stopForReplacement() async throws {
        supervisor.send(.stop)
        // Once the supervisor is stopping (else it would restart the killed server).
        _ = await supervisor.wait(until: .now + .seconds(2)) { $0.agentState != .running }
        if supervisor.agentState == .stopping { supervisor.killServer() }
        try await waitUntilStopped()
    }

    private func unpack(_ response: HTTPClientResponse, into directory: String, from url: String, compressed: Bool) async throws {
        var steps: [ProcessPipeline.Step] = []
        if compressed { steps.append(.init(name: "zstd", arguments: ["-d", "-q", "-c"])) }
        steps.append(.init(name: "mbstream", arguments: ["-x", "-C", directory]))
        let pipeline = try await ProcessPipeline(steps, logDirectory: paths.logDirectory, label: "unpack", feed: true, read: false)
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
        try await pipeline.finish()
        logger.info("backup unpacked", metadata: ["bytes": "\(bytes)"])
    }

    /// The statements of the one-time `init_file`: this node's root password
    /// (the copy carries its source's; a node awaiting a restore chooses its first one
    /// here), kept out of the binlog.
    private func writeRootReset() throws {
        let chosen = try database.credentials.password() ?? (awaitsRestore ? database.credentials.adoptNewPassword() : nil)
        guard let password = chosen, password.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
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
