import ConPaaSCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Drives every job to its end: each round it reads the state, makes one pool
/// query to the cloud for all nodes that need it, asks ``NodePlanner`` what each
/// node needs and starts that work. All progress is persisted, so a restarted
/// manager simply carries on (and first reconciles with the cloud's VM list).
final class ProvisioningWorker: Service, Sendable {
    let store: ManagerStore
    let cloud: any CloudDriver
    let agents: AgentDirectory
    let context: VMContextTemplate
    let planner: NodePlanner
    let promotionPlanner: PromotionPlanner
    /// The writer and reader endpoints, moved at once when a promotion fences and promotes.
    let endpoints: EndpointService?
    /// The backup store, for restores (their archive segments).
    let backupFiles: BackupStore
    let metrics: ManagerMetrics
    let logger: Logger
    private let busy = Mutex<Set<String>>([])
    private let lastSweep = Mutex(ContinuousClock.now)
    private let wakeups: AsyncStream<Void>
    private let wakeup: AsyncStream<Void>.Continuation

    init(
        store: ManagerStore, cloud: any CloudDriver, agents: AgentDirectory, context: VMContextTemplate, policy: ProvisioningPolicy,
        failover: FailoverPolicy, endpoints: EndpointService?, backupFiles: BackupStore, metrics: ManagerMetrics, logger: Logger
    ) {
        self.backupFiles = backupFiles
        self.store = store
        self.cloud = cloud
        self.agents = agents
        self.context = context
        self.planner = NodePlanner(policy: policy)
        self.promotionPlanner = PromotionPlanner(policy: failover)
        self.endpoints = endpoints
        self.metrics = metrics
        self.logger = logger
        (wakeups, wakeup) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    var failover: FailoverPolicy { promotionPlanner.policy }

    /// Starts a round now instead of at the next tick (a job was just recorded).
    func wake() { wakeup.yield() }

    func run() async throws {
        let ticker = wakeup
        let interval = planner.policy.pollInterval
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    ticker.yield()
                }
            }
            await reconcileOrphans()
            for await _ in wakeups.cancelOnGracefulShutdown() {
                await round(in: &group)
            }
            group.cancelAll()
        }
    }

    /// One pass over every node that a job is driving, and every switchover or failover.
    private func round(in group: inout DiscardingTaskGroup) async {
        do {
            let snapshot = store.snapshot()
            metrics.nodes(snapshot.nodeCounts)
            for promotion in snapshot.promotions where claim("promotion-\(promotion.jobID)") {
                group.addTask { [self] in
                    defer { release("promotion-\(promotion.jobID)") }
                    guard let current = try? await store.promotion(job: promotion.jobID), current.stage != nil else { return }
                    await drive(current)
                }
            }
            let active = snapshot.liveNodes.filter { $0.stage != nil }
            if !active.isEmpty {
                // A failing cloud holds back only the nodes that look at their VM this round.
                let vms: [String: [VMInfo]]?
                do {
                    vms = try await vmsByName(needed: active)
                } catch {
                    logger.warning("the cloud's VM list failed; nodes waiting on their VMs wait a round: \(error)")
                    vms = nil
                }
                let cloudFailed = vms == nil && active.contains(where: planner.needsVMList)
                for node in active where !(cloudFailed && planner.needsVMList(node)) && claim(node.id) {
                    let candidates = vms?[context.vmName(for: node.id)] ?? []
                    group.addTask { [self] in
                        defer { release(node.id) }
                        // Read again once claimed: a task that ended during the pool query may have
                        // moved the node on, and then the pool answer is older than the node: wait.
                        guard let current = try? await store.node(node.id), current.stage != nil, !current.movedOn(since: node) else { return }
                        let vm = planner.vm(of: current, among: candidates)
                        let decision = planner.decide(
                            node: current, vm: vm, master: snapshot.writableMaster, now: Date(),
                            restoring: NodePlanner.isRestoring(current, jobs: snapshot.runningJobs))
                        await carryOut(decision, for: current, vmAddress: vm?.address)
                    }
                }
            }
            if claim("orphan-accounts") {
                group.addTask { [self] in
                    defer { release("orphan-accounts") }
                    await dropOrphanAccounts()
                }
            }
            if lastSweep.withLock({ last in
                guard ContinuousClock.now - last > .seconds(30) else { return false }
                last = .now
                return true
            }) {
                await reconcileOrphans()
            }
            for job in try await store.finishJobs() {
                let duration = Duration.milliseconds(Int64((job.finishedAt ?? Date()).timeIntervalSince(job.createdAt) * 1000))
                metrics.jobFinished(kind: job.kind.rawValue, state: job.state.rawValue, duration: duration)
                logger.info("job finished", metadata: ["job.id": "\(job.id ?? 0)", "job.kind": "\(job.kind.rawValue)", "job.state": "\(job.state.rawValue)"])
            }
        } catch {
            logger.error("provisioning round failed: \(error)")
        }
    }

    /// One pool query, only when some node's stage looks at its VM; nil otherwise.
    /// A name can have several VMs: a node's earlier, destroyed attempts keep it.
    private func vmsByName(needed nodes: [NodeRecord]) async throws -> [String: [VMInfo]]? {
        guard nodes.contains(where: planner.needsVMList) else { return nil }
        let vms = try await cloud.listVMs(namePrefix: context.namePrefix)
        return Dictionary(grouping: vms, by: \.name)
    }

    /// At start and every 30 s: a VM of this service whose node is gone or unknown is destroyed.
    private func reconcileOrphans() async {
        do {
            let snapshot = store.snapshot()
            let vms = try await cloud.listVMs(namePrefix: context.namePrefix)
            for vm in vms where vm.status != .terminated && vm.status != .stopping {
                let node = snapshot.liveNodes.first { context.vmName(for: $0.id) == vm.name }
                // A node in a job may be about to adopt its VM; a finished node owns only its recorded VM.
                let owned = node.map { $0.stage != nil || $0.vmID == vm.id } ?? false
                guard !owned else { continue }
                logger.warning("destroying a VM no node owns", metadata: ["vm.id": "\(vm.id)", "vm.name": "\(vm.name)"])
                do {
                    try await cloud.destroyVM(id: vm.id)
                } catch {
                    logger.error("could not destroy the orphan VM \(vm.id): \(error)")
                }
            }
        } catch {
            logger.error("reconciling with the cloud failed: \(error)")
        }
    }

    private func claim(_ id: String) -> Bool { busy.withLock { $0.insert(id).inserted } }
    private func release(_ id: String) { _ = busy.withLock { $0.remove(id) } }
}
