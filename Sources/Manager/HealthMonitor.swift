import ConPaaSCore
import Foundation
import Logging
import ServiceLifecycle

/// Watches running nodes: agents push `register_node`; a node not heard from for
/// a while is asked directly; one that does not answer within the timeout is
/// FAILED with the reason. A failed node whose agent answers again is RUNNING again.
struct HealthMonitor: Service {
    let store: ManagerStore
    let agents: AgentDirectory
    let policy: ProvisioningPolicy
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: policy.healthInterval)
            do {
                try await checkNodes()
            } catch {
                logger.error("health round failed: \(error)")
            }
        }
    }

    private func checkNodes() async throws {
        let snapshot = try await store.snapshot()
        let watched = snapshot.liveNodes.filter { $0.stage == nil && $0.vmID != nil && ($0.state == .running || $0.state == .failed) }
        let grace = Double(policy.heartbeatGrace.components.seconds)
        await withTaskGroup(of: Void.self) { group in
            for node in watched {
                let silence = Date().timeIntervalSince(node.lastSeen ?? .distantPast)
                guard silence > grace || node.state == .failed, let address = node.address else { continue }
                group.addTask { await probe(node, address: address, silence: silence) }
            }
        }
    }

    private func probe(_ node: NodeRecord, address: String, silence: TimeInterval) async {
        do {
            let state = try await agents.serverState(at: address)
            let agentState = state["state"]?.stringValue ?? "?"
            try await store.recordReport(nodeID: node.id, agentState: agentState, error: nil)
            if node.state == .failed, agentState == AgentState.running.rawValue {
                let back = try await store.updateNode(node.id) { node in
                    guard node.state == .failed, node.stage == nil, node.vmID != nil else { return }
                    node.state = .running
                    node.reason = nil
                }
                if back?.state == .running { logger.info("node is answering again", metadata: ["node.id": "\(node.id)"]) }
            }
        } catch {
            guard node.state == .running, silence > Double(policy.healthTimeout.components.seconds) else { return }
            let reason = "the agent at \(address) stopped answering (last heard \(Int(silence)) s ago): \(error)"
            // Only a node still running and in no job: it may have been removed while the probe ran.
            _ = try? await store.updateNode(node.id) { node in
                guard node.state == .running, node.stage == nil else { return }
                node.state = .failed
                node.reason = reason
            }
            logger.error("node failed", metadata: ["node.id": "\(node.id)", "reason": "\(reason)"])
        }
    }
}
