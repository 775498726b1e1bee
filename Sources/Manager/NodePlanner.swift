import ConPaaSCore
import Foundation

/// What the worker should do next for one node in a job: a pure function of the
/// node's record, what the cloud and the agent last said, and the time, so every
/// rule of the staged plan is tested without clouds or sockets.
struct NodePlanner: Sendable {
    enum Decision: Sendable, Equatable {
        /// Nothing to do this round.
        case wait
        /// Call the cloud to create the node's VM.
        case createVM
        /// A VM with the node's name exists (created before a crash): record it.
        case adopt(VMInfo)
        /// The current stage is done; move to `stage` (nil: the node is finished).
        case advance(to: Stage?, state: NodeState)
        /// Ask the agent directly (no `register_node` came in time).
        case probeAgent
        /// Make the node the master.
        case configureMaster
        /// Make the node a replica of the master at this address.
        case configureReplica(masterAddress: String)
        /// Check replication (or the master role) and finish.
        case validate
        /// Destroy the VM and try again from CREATE.
        case retry(reason: String)
        /// Give up on the node (its VM, if any, is destroyed).
        case fail(reason: String)
        /// Drop the replica's account on the master, then go on.
        case drain(masterAddress: String?)
        /// Destroy the VM and mark the node TERMINATED.
        case destroy
    }

    let policy: ProvisioningPolicy

    /// The decision for `node` given `vm` (from this round's pool query, nil when
    /// absent from it), the writable `master` (nil while there is none) and the time `now`;
    /// `restoring` when the node is a restore's new master (its VM boots with
    /// `AGENT_RESTORE=yes`: the agent awaits the backup before its first mariadbd start).
    func decide(node: NodeRecord, vm: VMInfo?, master: NodeRecord?, now: Date, restoring: Bool = false) -> Decision {
        guard let stage = node.stage else { return .wait }
        // The VM's init script reported a fatal problem (a bad context, no agent
        // binary): the same VM context would fail again, so no retry.
        if node.agentState == "FAILED", [.confirm, .bootstrap].contains(stage) {
            return .fail(reason: node.reason ?? "the VM's init script reported a failure")
        }
        let elapsed = Duration.seconds(now.timeIntervalSince(node.stageStartedAt ?? now))
        switch stage {
        case .create:
            if let vm { return .adopt(vm) }
            // A cloud that just failed often fails again at once: retries back off.
            if node.attempts > 0, elapsed < Self.retryDelay(afterAttempts: node.attempts) { return .wait }
            return .createVM
        case .confirm:
            guard let vm else { return afterFailure(node, reason: "its VM vanished from the cloud") }
            switch vm.status {
            case .running: return .advance(to: .bootstrap, state: .booting)
            case .failed: return afterFailure(node, reason: "the VM failed: \(vm.reason ?? "no reason given")")
            case .terminated, .stopping: return afterFailure(node, reason: "the VM was terminated")
            case .pending, .booting:
                return elapsed > policy.confirmTimeout ? afterFailure(node, reason: "the VM was not running after \(policy.confirmTimeout)") : .wait
            }
        case .bootstrap:
            if let vm, vm.status == .failed { return afterFailure(node, reason: "the VM failed: \(vm.reason ?? "no reason given")") }
            if vm == nil { return afterFailure(node, reason: "its VM vanished from the cloud") }
            let ready = node.agentState == AgentState.running.rawValue || (restoring && node.agentState == AgentState.awaitingRestore.rawValue)
            if ready, let seen = node.lastSeen, seen >= (node.stageStartedAt ?? seen) {
                return .advance(to: .configure, state: .configuring)
            }
            if elapsed > policy.bootstrapTimeout {
                return afterFailure(node, reason: "the agent did not report within \(policy.bootstrapTimeout)")
            }
            // An agent awaiting a restore reports once, as soon as it listens: perhaps before this stage began.
            return elapsed > policy.heartbeatGrace || restoring ? .probeAgent : .wait
        case .configure:
            if node.role == .master { return .configureMaster }
            if let master, master.id != node.id, master.state == .running, let address = master.address {
                return .configureReplica(masterAddress: address)
            }
            // No writable master yet: it is being provisioned, or a switchover or failover is under way.
            return elapsed > policy.masterWaitTimeout ? .fail(reason: "no writable master to replicate from after \(policy.masterWaitTimeout)") : .wait
        case .validate:
            return .validate
        case .drain:
            let masterAddress = master.flatMap { $0.id == node.id || $0.state != .running ? nil : $0.address }
            return node.role == .slave ? .drain(masterAddress: masterAddress) : .advance(to: .destroy, state: .removing)
        case .destroy:
            return .destroy
        case .detect, .fence, .elect, .catchUp, .promote, .repoint, .heal:
            // Stages of a switchover or failover: never a node's own stage.
            return .wait
        }
    }
}

extension NodePlanner {
    /// Which of the VMs named after `node` is its VM: the recorded one; before
    /// one is recorded, a live VM that a crash left between the cloud's answer
    /// and the record (only if creation was requested). Other VMs of the name are
    /// the node's earlier, destroyed attempts.
    func vm(of node: NodeRecord, among candidates: [VMInfo]) -> VMInfo? {
        if let id = node.vmID { return candidates.first { $0.id == id } }
        guard node.createRequested else { return nil }
        return candidates.first { [.pending, .booting, .running].contains($0.status) }
    }

    /// Whether deciding for `node` needs this round's VM list from the cloud: only
    /// CREATE once a creation was requested (to adopt a VM a crash left), CONFIRM and
    /// BOOTSTRAP look at the VM; the other stages go on while the cloud fails.
    func needsVMList(_ node: NodeRecord) -> Bool {
        switch node.stage {
        case .create: node.createRequested
        case .confirm, .bootstrap: true
        default: false
        }
    }

    /// How long CREATE waits before attempt `attempts + 1`: 2 s, 4 s, 8 s, ... at most 30 s.
    static func retryDelay(afterAttempts attempts: Int) -> Duration {
        .seconds(min(30, 1 << min(attempts, 5)))
    }

    /// Whether `node` is the new master of a restore job among `jobs` (the running ones).
    static func isRestoring(_ node: NodeRecord, jobs: [JobRecord]) -> Bool {
        jobs.contains { $0.id == node.jobID && $0.kind == .restore }
    }

    /// After a failed VM creation (no VM exists): whether another attempt is allowed.
    func decideAfterCreateFailure(_ node: NodeRecord) -> Bool {
        node.attempts + 1 < policy.maxAttempts
    }

    /// The decision after a stage's operation failed with `reason`.
    func afterFailure(_ node: NodeRecord, reason: String) -> Decision {
        decideAfterCreateFailure(node) ? .retry(reason: reason) : .fail(reason: "\(reason) (after \(node.attempts + 1) attempts)")
    }
}
