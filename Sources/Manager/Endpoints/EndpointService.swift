import ConPaaSCore
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// Runs HAProxy beside the manager for the service's writer and reader
/// endpoints: starts it (or adopts the one a previous manager left running, so
/// a manager restart cuts no connection), restarts it within a second if it
/// dies, and every half second points its server slots at the nodes
/// ``EndpointPlanner`` chooses, through the admin socket. Stops it once the
/// service is shut down.
final class EndpointService: Service, Sendable, CustomStringConvertible {
    let options: EndpointOptions
    let config: HAProxyConfig
    let store: ManagerStore
    let board: StatusBoard
    let admin: HAProxyAdmin
    let logger: Logger
    private let serial = AsyncSerialLock()

    var description: String { "EndpointService(\(options.endpoint(options.writerPort)), \(options.endpoint(options.readerPort)))" }

    init(options: EndpointOptions, stateDirectory: String, readerSlots: Int, store: ManagerStore, board: StatusBoard, logger: Logger) {
        self.options = options
        self.config = HAProxyConfig(options: options, readerSlots: readerSlots, directory: "\(stateDirectory)/haproxy")
        self.store = store
        self.board = board
        self.admin = HAProxyAdmin(socketPath: config.socketPath, threadPool: .singleton)
        self.logger = logger
    }

    /// `get_service_info`'s `endpoints`.
    var addresses: (writer: String, reader: String) { (options.endpoint(options.writerPort), options.endpoint(options.readerPort)) }

    func run() async throws {
        try await HAProxyProcess(config: config, logger: logger).prepare()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.tick()
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Brings HAProxy's slots to the recorded state now (a switchover's FENCE and PROMOTE call it).
    func apply() async {
        do {
            try await serial.run {
                let snapshot = store.snapshot()
                let layout = EndpointPlanner.layout(of: snapshot, statuses: board.statuses, maxLag: options.readerMaxLag)
                let slots = EndpointPlanner.parseServersState(try await admin.send(["show servers state"]))
                let commands = EndpointPlanner.commands(from: slots, to: layout, port: 3306)
                guard !commands.isEmpty else { return }
                let answer = try await admin.send(commands)
                logger.info("endpoints changed", metadata: [
                    "writer": "\(layout.writer ?? "-")", "readers": "\(layout.readers.sorted().joined(separator: ","))",
                    "haproxy": "\(answer.split(separator: "\n").filter { !$0.hasPrefix("IP changed") }.joined(separator: " | "))",
                ])
            }
        } catch {
            logger.warning("could not update the endpoints: \(error)")
        }
    }

    private func tick() async {
        let process = HAProxyProcess(config: config, logger: logger)
        do {
            if store.snapshot().service.lifecycle == .stopped {
                if process.runningPID != nil { await process.stop() }
                return
            }
            if process.runningPID == nil { try await process.start() }
            await apply()
        } catch {
            logger.error("HAProxy: \(error)")
        }
    }

    /// Sessions and errors per server, as Prometheus text lines (empty when HAProxy cannot be asked).
    func metricsText() async -> String {
        guard let stat = try? await admin.send(["show stat"]) else { return "" }
        return HAProxyStats.prometheusLines(fromCSV: stat)
    }
}
