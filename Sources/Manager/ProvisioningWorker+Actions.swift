import ConPaaSCore
import Foundation
import JSONRPC

extension ProvisioningWorker {
    /// Performs one decision of ``NodePlanner`` for `node`, recording the outcome.
    func carryOut(_ decision: NodePlanner.Decision, for node: NodeRecord, vmAddress: String? = nil) async {
        var metadata = logger
        metadata[metadataKey: "node.id"] = "\(node.id)"
        let logger = metadata
        do {
            switch decision {
            case .wait:
                return
            case .createVM:
                try await createVM(for: node)
            case .adopt(let vm):
                logger.info("found the node's VM after a restart", metadata: ["vm.id": "\(vm.id)"])
                try await store.completeStage(node, next: .confirm, state: .pending) { $0.vmID = vm.id; $0.address = vm.address }
            case .advance(let next, let state):
                let address = node.address == nil ? vmAddress : nil
                try await store.completeStage(node, next: next, state: state) { if let address { $0.address = address } }
                logger.info("stage done", metadata: ["stage": "\(node.stage?.rawValue ?? "-")", "next": "\(next?.rawValue ?? "finished")"])
                wake()
            case .probeAgent:
                guard let address = node.address else { return }
                if let status = try? await agents.status(at: address) {
                    try await store.recordReport(nodeID: node.id, agentState: status.state, error: status.error)
                    // The stage's first report: decide on it now rather than at the next tick.
                    if node.lastSeen.map({ $0 < node.stageStartedAt ?? $0 }) ?? true { wake() }
                }
            case .configureMaster:
                let epoch = store.snapshot().service.epoch
                let restore = try await node.jobID.asyncMap { try await store.restore(job: $0) } ?? nil
                try await configure(node) { client in
                    if let restore { try await self.restore(restore, with: client) }
                    _ = try await client.call("set_up_replica_master", params: ["epoch": .int(epoch)])
                }
            case .configureReplica(let master):
                let source = BackupPlanner.seedSource(for: node, in: store.snapshot()) ?? master
                try await configure(node) { client in
                    _ = try await client.call("set_up_replica_slave", params: ["master_host": .string(master), "seed_from": .string(source)])
                }
            case .validate:
                try await validate(node)
            case .retry(let reason):
                guard !Task.isCancelled else { return }
                logger.warning("retrying the node: \(reason)")
                try await destroyVM(of: node)
                try await store.restartProvisioning(node, reason: reason)
            case .fail(let reason):
                guard !Task.isCancelled else { return }
                logger.error("node failed: \(reason)")
                try await destroyVM(of: node)
                try await store.failNode(node, reason: reason)
            case .drain(let master):
                if let address = node.address {
                    try await dropReplicationAccount(of: address, on: master)
                }
                try await store.completeStage(node, next: .destroy, state: .removing)
                wake()
            case .destroy:
                try await destroyVM(of: node)
                try await store.completeStage(node, next: nil, state: .terminated) { $0.vmID = nil }
                logger.info("node terminated")
                wake()
            }
        } catch {
            logger.error("provisioning step failed: \(error)")
        }
    }

    /// Drops the account of the replica at `replicaHost` on `master`; without a master,
    /// or when the drop fails, records it for ``dropOrphanAccounts()``.
    private func dropReplicationAccount(of replicaHost: String, on master: String?) async throws {
        if let master {
            do {
                _ = try await agents.client(for: master).call("drop_replication_user", params: ["replica_host": .string(replicaHost)])
                return
            } catch {
                logger.warning("could not drop the replica's account on the master: \(error)")
            }
        }
        try await store.recordOrphanAccount(replicaHost: replicaHost)
        logger.info("the replica's account is left on the master until one is writable", metadata: ["replica": "\(replicaHost)"])
    }

    /// Drops the accounts that drained replicas left while there was no writable master
    /// (``OrphanAccountPlanner``); each record goes once its account is gone. The nodes are
    /// read after the records, so an address a new node took meanwhile is seen as taken.
    func dropOrphanAccounts() async {
        do {
            let orphans = try await store.orphanAccounts()
            guard !orphans.isEmpty else { return }
            let snapshot = store.snapshot()
            let cleanup = OrphanAccountPlanner.cleanup(orphans: orphans, nodes: snapshot.liveNodes, master: snapshot.writableMaster)
            for host in cleanup.forget {
                try await store.forgetOrphanAccount(replicaHost: host)
            }
            guard let masterAddress = cleanup.masterAddress else { return }
            for host in cleanup.drop {
                _ = try await agents.client(for: masterAddress).call("drop_replication_user", params: ["replica_host": .string(host)])
                try await store.forgetOrphanAccount(replicaHost: host)
                logger.info("dropped a replication account left by a drained replica", metadata: ["replica": "\(host)"])
            }
        } catch {
            logger.warning("dropping left replication accounts failed; trying again next round: \(error)")
        }
    }

    private func createVM(for node: NodeRecord) async throws {
        guard try await store.startStage(node, { $0.createRequested = true }) else { return }
        do {
            let restoring = NodePlanner.isRestoring(node, jobs: store.snapshot().runningJobs)
            let vm = try await cloud.createVM(context.request(for: node, restoring: restoring))
            logger.info("VM created", metadata: ["node.id": "\(node.id)", "vm.id": "\(vm.id)", "vm.address": "\(vm.address ?? "?")"])
            guard try await store.completeStage(node, next: .confirm, state: .pending, { $0.vmID = vm.id; $0.address = vm.address }) else {
                logger.info("the node was taken over while its VM was created; destroying the VM", metadata: ["node.id": "\(node.id)"])
                try await cloud.destroyVM(id: vm.id)
                return
            }
            wake()
        } catch {
            let reason = "creating the VM failed: \(error)"
            if planner.decideAfterCreateFailure(node) {
                try await store.restartProvisioning(node, reason: reason)
            } else {
                try await store.failNode(node, reason: "\(reason) (after \(node.attempts + 1) attempts)")
            }
        }
    }

    private func configure(_ node: NodeRecord, _ call: @escaping @Sendable (RPCClient) async throws -> Void) async throws {
        guard let address = node.address else {
            return await carryOut(planner.afterFailure(node, reason: "the cloud gave the VM no address"), for: node)
        }
        guard try await store.startStage(node), let started = try await store.node(node.id) else { return }
        do {
            let client = agents.client(for: address, timeout: .seconds(3600))
            guard try await untilSuperseded(started, { try await call(client) }) else {
                logger.notice("configuring abandoned: the node was taken over (removal or shutdown)", metadata: ["node.id": "\(node.id)"])
                return
            }
            try await store.completeStage(node, next: .validate, state: .configuring)
            wake()
        } catch {
            // A manager shutting down cancels the call: the job resumes after the restart.
            guard !Task.isCancelled else { return }
            await carryOut(planner.afterFailure(node, reason: "configuring MariaDB failed: \(error)"), for: node)
        }
    }

    /// Runs `operation` (a long agent call: seeding may take an hour) until it ends, or
    /// until another job takes `node` out of the stage it runs for (a removal, a
    /// shutdown): then cancels it and answers false at once.
    private func untilSuperseded(_ node: NodeRecord, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await operation()
                return true
            }
            group.addTask { [store] in
                while true {
                    try await Task.sleep(for: .milliseconds(500))
                    guard let current = store.snapshot().node(node.id), current.jobID == node.jobID, current.stage == node.stage else { return false }
                }
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
    }

    private func validate(_ node: NodeRecord) async throws {
        guard let address = node.address else { return }
        let status = try await agents.status(at: address)
        let ready = node.role == .master
            ? status.role == .master && status.state == AgentState.running.rawValue
            : status.replication?.isReplicating == true
        guard ready else { return }
        try await store.completeStage(node, next: nil, state: .running) { $0.reason = nil }
        logger.info("node running", metadata: ["node.id": "\(node.id)", "role": "\(node.role.rawValue)"])
        wake()
    }

    private func destroyVM(of node: NodeRecord) async throws {
        if let vmID = node.vmID {
            try await cloud.destroyVM(id: vmID)
        } else if node.createRequested {
            // Created before a crash but never recorded: find it by name.
            for vm in try await cloud.listVMs(namePrefix: context.vmName(for: node.id)) where vm.name == context.vmName(for: node.id) {
                try await cloud.destroyVM(id: vm.id)
            }
        }
    }
}
