import ConPaaSCore
import Foundation
import JSONRPC
import Logging

/// The service one manager runs: its state, its worker and its agents, with the
/// operations the RPC methods expose.
final class ManagerService: Sendable {
    let configuration: ManagerConfiguration
    let store: ManagerStore
    let worker: ProvisioningWorker
    let agents: AgentDirectory
    /// What the health monitor last heard from each node.
    let board: StatusBoard
    /// The writer and reader endpoints, when the manager runs them.
    let endpoints: EndpointService?
    let recentLog: RecentLog
    let metrics: ManagerMetrics
    let logger: Logger

    init(
        configuration: ManagerConfiguration, store: ManagerStore, worker: ProvisioningWorker, agents: AgentDirectory,
        board: StatusBoard, endpoints: EndpointService?, recentLog: RecentLog, metrics: ManagerMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.worker = worker
        self.agents = agents
        self.board = board
        self.endpoints = endpoints
        self.recentLog = recentLog
        self.metrics = metrics
        self.logger = logger
    }

    /// The service state, derived from the lifecycle, the nodes and the jobs.
    static func state(of snapshot: ServiceSnapshot) -> ServiceState {
        switch snapshot.service.lifecycle {
        case .stopped: return .stopped
        case .stopping: return .epilogue
        case .active: break
        }
        let live = snapshot.liveNodes
        let anyRunning = live.contains { $0.state == .running }
        if !snapshot.runningJobs.isEmpty { return anyRunning ? .adapting : .prologue }
        // Serving means taking writes: nodes that only answer reads are an error to look at.
        if anyRunning { return snapshot.noWriterReason == nil ? .running : .error }
        return live.contains { $0.state == .failed } ? .error : .initial
    }

    /// A running node by id, or the RPC error naming the parameter.
    func runningNode(_ id: String, parameter: String, in snapshot: ServiceSnapshot) throws -> (node: NodeRecord, address: String) {
        guard let node = snapshot.node(id), node.state.isLive else {
            throw RPCError.invalidArgument(parameter, detail: "unknown node \(id)")
        }
        guard node.state == .running || node.state == .configuring, let address = node.address else {
            throw RPCError.failed("Service in wrong state: node \(id) is \(node.state.rawValue)")
        }
        return (node, address)
    }

    /// The nodes a `serviceNodeId` of `"all"` or an id means for user changes:
    /// the master when there is one (replication carries the change), else every running node.
    func userTargets(_ selector: String, in snapshot: ServiceSnapshot) throws -> [String] {
        if selector != "all" { return [try runningNode(selector, parameter: "serviceNodeId", in: snapshot).address] }
        if let master = snapshot.writableMaster, let address = master.address { return [address] }
        let running = snapshot.liveNodes.filter { $0.state == .running }.compactMap(\.address)
        guard !running.isEmpty else { throw RPCError.wrongState }
        return running
    }
}
