import ConPaaSCore
import Foundation
@testable import Manager
import Testing

@Suite("Staged provisioning decisions")
struct NodePlannerTests {
    let planner = NodePlanner(policy: ProvisioningPolicy(maxAttempts: 3, confirmTimeout: .seconds(60), bootstrapTimeout: .seconds(60), masterWaitTimeout: .seconds(60), heartbeatGrace: .seconds(3)))
    let start = Date(timeIntervalSince1970: 1_000_000)

    func node(_ stage: Stage?, role: NodeRole = .slave, attempts: Int = 0, agentState: String? = nil, lastSeen: Date? = nil, state: NodeState = .pending) -> NodeRecord {
        NodeRecord(id: "node-2", number: 2, vmID: "7", address: "127.0.1.2", role: role, state: state, serverID: 2, jobID: 1,
                   stage: stage, attempts: attempts, createRequested: false, stageStartedAt: start, lastSeen: lastSeen,
                   agentState: agentState, createdAt: start)
    }

    func vm(_ status: VMStatus, reason: String? = nil) -> VMInfo {
        VMInfo(id: "7", name: "conpaassql-abc-node-2", address: "127.0.1.2", status: status, reason: reason)
    }

    var master: NodeRecord {
        var master = node(nil, role: .master, state: .running)
        master.id = "node-1"
        master.address = "127.0.1.1"
        return master
    }

    @Test("CREATE creates once, or adopts the VM a crash left behind")
    func create() {
        #expect(planner.decide(node: node(.create), vm: nil, master: nil, now: start) == .createVM)
        #expect(planner.decide(node: node(.create), vm: vm(.booting), master: nil, now: start) == .adopt(vm(.booting)))
    }

    @Test("A retried CREATE backs off: 2 s after the first failure, 4 s after the second, never more than 30 s")
    func createBackOff() {
        #expect(planner.decide(node: node(.create, attempts: 1), vm: nil, master: nil, now: start + 1.9) == .wait)
        #expect(planner.decide(node: node(.create, attempts: 1), vm: nil, master: nil, now: start + 2) == .createVM)
        #expect(planner.decide(node: node(.create, attempts: 2), vm: nil, master: nil, now: start + 3.9) == .wait)
        #expect(planner.decide(node: node(.create, attempts: 2), vm: nil, master: nil, now: start + 4) == .createVM)
        #expect(NodePlanner.retryDelay(afterAttempts: 9) == .seconds(30))
        #expect(planner.decide(node: node(.create, attempts: 1), vm: vm(.booting), master: nil, now: start) == .adopt(vm(.booting)))
    }

    @Test("A node's VM is its recorded one; before that, a live VM of its name, only if creation was requested")
    func vmOfNode() {
        let destroyed = VMInfo(id: "3", name: "conpaassql-abc-node-2", address: "127.0.1.2", status: .terminated)
        let failed = VMInfo(id: "4", name: "conpaassql-abc-node-2", address: "127.0.1.2", status: .failed, reason: "BOOT_FAILURE")
        let candidates = [destroyed, failed, vm(.booting)]
        #expect(planner.vm(of: node(.confirm), among: candidates) == vm(.booting))
        #expect(planner.vm(of: node(.confirm), among: [destroyed, failed]) == nil)
        var unrecorded = node(.create)
        unrecorded.vmID = nil
        #expect(planner.vm(of: unrecorded, among: candidates) == nil)
        unrecorded.createRequested = true
        #expect(planner.vm(of: unrecorded, among: candidates) == vm(.booting))
        #expect(planner.vm(of: unrecorded, among: [destroyed, failed]) == nil)
    }

    @Test("A node read again after the pool query has moved on when its stage, attempt or VM changed")
    func movedOn() {
        let read = node(.create)
        #expect(!read.movedOn(since: read))
        var requested = read
        requested.createRequested = true
        #expect(requested.movedOn(since: read))
        var confirmed = read
        confirmed.stage = .confirm
        #expect(confirmed.movedOn(since: read))
        var seen = read
        seen.lastSeen = start + 5
        #expect(!seen.movedOn(since: read))
    }

    @Test("CONFIRM waits for running; a failed or vanished VM is retried, then the node fails")
    func confirm() {
        #expect(planner.decide(node: node(.confirm), vm: vm(.booting), master: nil, now: start) == .wait)
        #expect(planner.decide(node: node(.confirm), vm: vm(.running), master: nil, now: start) == .advance(to: .bootstrap, state: .booting))
        #expect(planner.decide(node: node(.confirm), vm: vm(.failed, reason: "BOOT_FAILURE"), master: nil, now: start) == .retry(reason: "the VM failed: BOOT_FAILURE"))
        #expect(planner.decide(node: node(.confirm), vm: nil, master: nil, now: start) == .retry(reason: "its VM vanished from the cloud"))
        #expect(planner.decide(node: node(.confirm), vm: vm(.booting), master: nil, now: start + 61) == .retry(reason: "the VM was not running after 60.0 seconds"))
        #expect(planner.decide(node: node(.confirm, attempts: 2), vm: vm(.failed, reason: "x"), master: nil, now: start) == .fail(reason: "the VM failed: x (after 3 attempts)"))
    }

    @Test("BOOTSTRAP waits for the agent's report, asks it after a grace period, fails on its FAILED report")
    func bootstrap() {
        #expect(planner.decide(node: node(.bootstrap), vm: vm(.running), master: nil, now: start + 1) == .wait)
        #expect(planner.decide(node: node(.bootstrap), vm: vm(.running), master: nil, now: start + 4) == .probeAgent)
        let reported = node(.bootstrap, agentState: "RUNNING", lastSeen: start + 2)
        #expect(planner.decide(node: reported, vm: vm(.running), master: nil, now: start + 2) == .advance(to: .configure, state: .configuring))
        var failed = node(.bootstrap, agentState: "FAILED", lastSeen: start + 1)
        failed.reason = "context.sh lacks IP_PUBLIC"
        #expect(planner.decide(node: failed, vm: vm(.running), master: nil, now: start + 1) == .fail(reason: "context.sh lacks IP_PUBLIC"))
        #expect(planner.decide(node: node(.bootstrap), vm: vm(.running), master: nil, now: start + 61) == .retry(reason: "the agent did not report within 60.0 seconds"))
    }

    @Test("A restore's new master is configured on its agent's AWAITING_RESTORE report, asked at once each round until one is fresh")
    func bootstrapOfRestore() {
        let awaiting = node(.bootstrap, role: .master, agentState: "AWAITING_RESTORE", lastSeen: start + 1)
        #expect(planner.decide(node: awaiting, vm: vm(.running), master: nil, now: start + 1, restoring: true) == .advance(to: .configure, state: .configuring))
        #expect(planner.decide(node: awaiting, vm: vm(.running), master: nil, now: start + 1) == .wait, "only a restore's master awaits its data")
        let early = node(.bootstrap, role: .master, agentState: "AWAITING_RESTORE", lastSeen: start - 1)
        #expect(planner.decide(node: early, vm: vm(.running), master: nil, now: start + 1, restoring: true) == .probeAgent)
        let running = node(.bootstrap, role: .master, agentState: "RUNNING", lastSeen: start + 1)
        #expect(planner.decide(node: running, vm: vm(.running), master: nil, now: start + 1, restoring: true) == .advance(to: .configure, state: .configuring))

        var jobs = [JobRecord(id: 1, kind: .restore, state: .running, createdAt: start)]
        #expect(NodePlanner.isRestoring(node(.bootstrap), jobs: jobs))
        jobs[0].kind = .addNodes
        #expect(!NodePlanner.isRestoring(node(.bootstrap), jobs: jobs))
    }

    @Test("CONFIGURE: the master first; replicas wait for a writable master (one being provisioned or promoted)")
    func configure() {
        #expect(planner.decide(node: node(.configure, role: .master), vm: nil, master: nil, now: start) == .configureMaster)
        #expect(planner.decide(node: node(.configure), vm: nil, master: master, now: start) == .configureReplica(masterAddress: "127.0.1.1"))
        var booting = master
        booting.state = .booting
        #expect(planner.decide(node: node(.configure), vm: nil, master: booting, now: start) == .wait)
        #expect(planner.decide(node: node(.configure), vm: nil, master: booting, now: start + 61) == .fail(reason: "no writable master to replicate from after 60.0 seconds"))
        #expect(planner.decide(node: node(.configure), vm: nil, master: nil, now: start) == .wait)
        #expect(planner.decide(node: node(.configure), vm: nil, master: nil, now: start + 61) == .fail(reason: "no writable master to replicate from after 60.0 seconds"))
    }

    @Test("Removal drains replicas on the master, then destroys")
    func removal() {
        #expect(planner.decide(node: node(.drain), vm: nil, master: master, now: start) == .drain(masterAddress: "127.0.1.1"))
        #expect(planner.decide(node: node(.drain, role: .master), vm: nil, master: nil, now: start) == .advance(to: .destroy, state: .removing))
        #expect(planner.decide(node: node(.destroy), vm: nil, master: nil, now: start) == .destroy)
        #expect(planner.decide(node: node(nil), vm: nil, master: nil, now: start) == .wait)
    }
}
