import ConPaaSCore
import Foundation
@testable import Manager
import Testing

@Suite("Failover and switchover decisions")
struct PromotionPlannerTests {
    let planner = PromotionPlanner(policy: FailoverPolicy(failoverAfter: .seconds(3), hold: .seconds(300), replaceAfter: .seconds(60)))
    let now = Date(timeIntervalSince1970: 2_000_000)

    func node(_ id: String, role: NodeRole = .slave, state: NodeState = .running, failedAt: Date? = nil) -> NodeRecord {
        NodeRecord(id: id, number: Int(id.dropFirst(5)) ?? 1, vmID: "vm-\(id)", address: "127.0.1.\(id.dropFirst(5))", role: role, state: state,
                   serverID: 1, attempts: 0, createRequested: true, createdAt: now, failedAt: failedAt)
    }

    func replica(_ id: String, received: String = "0-1-100", io: String = "Yes", sql: String = "Yes", error: String = "", lag: Double = 0.2)
        -> AgentStatus
    {
        var status = AgentStatus(id: id, state: "RUNNING", ip: "127.0.1.9", port: 60000, mysqldPort: 3306, role: .slave, serverID: 2)
        status.replication = AgentStatus.Replication(
            masterHost: "127.0.1.1", ioRunning: io, sqlRunning: sql, secondsBehindMaster: 0, lastIOError: "", lastSQLError: error,
            usingGTID: "Slave_Pos", gtidIOPos: received)
        status.performance = AgentStatus.Performance(queriesPerSecond: 0, errorsPerSecond: 0, connections: 1, responseTimeMs: 0.1, heartbeatLagSeconds: lag)
        status.readOnly = true
        return status
    }

    /// node-1's status as a master.
    func masterStatus(readOnly: Bool, semiSync: Bool) -> AgentStatus {
        var status = replica("node-1")
        status.role = .master
        status.readOnly = readOnly
        status.replication = nil
        status.semiSync = AgentStatus.SemiSync(masterEnabled: semiSync, masterActive: semiSync, masterClients: semiSync ? 2 : 0, slaveActive: false)
        return status
    }

    @Test("A silent master is dead only after --failover-after and a second opinion: the cloud, or every replica of it")
    func verdicts() {
        let master = node("node-1", role: .master)
        let running = VMInfo(id: "vm-node-1", name: "x", address: nil, status: .running)
        #expect(planner.verdict(master: master, silentFor: .zero, vm: running, cloudChecked: true, replicas: []) == .healthy)
        guard case .suspect = planner.verdict(master: master, silentFor: .seconds(2), vm: nil, cloudChecked: true, replicas: []) else {
            Issue.record("silent for less than --failover-after is only suspect")
            return
        }
        guard case .dead(let gone) = planner.verdict(master: master, silentFor: .seconds(4), vm: nil, cloudChecked: true, replicas: [replica("node-2")]) else {
            Issue.record("a VM gone from the cloud is a dead master")
            return
        }
        #expect(gone.contains("its VM is gone from the cloud"))
        let hearing = planner.verdict(master: master, silentFor: .seconds(4), vm: running, cloudChecked: true, replicas: [replica("node-2", io: "Connecting"), replica("node-3")])
        #expect(hearing == .suspect("node-1 has not answered for 4.0 s, but node-3 still replicates from it"))
        let lost = planner.verdict(master: master, silentFor: .seconds(4), vm: running, cloudChecked: true, replicas: [replica("node-2", io: "Connecting"), replica("node-3", io: "No")])
        #expect(lost == .dead("node-1 has not answered for 4.0 s and every replica lost it (node-2, node-3)"))
        // A replica of another source, or of none (a failed repoint), is no witness either way.
        var elsewhere = replica("node-2")
        elsewhere.replication?.masterHost = "127.0.1.9"
        var unset = replica("node-3")
        unset.replication = nil
        let unwitnessed = planner.verdict(master: master, silentFor: .seconds(4), vm: running, cloudChecked: true, replicas: [elsewhere, unset])
        #expect(unwitnessed == .suspect("node-1 has not answered for 4.0 s, and no replica of it answers to confirm it"))
        let oneWitness = planner.verdict(master: master, silentFor: .seconds(4), vm: running, cloudChecked: true, replicas: [elsewhere, replica("node-4", io: "No")])
        #expect(oneWitness == .dead("node-1 has not answered for 4.0 s and every replica lost it (node-4)"))
        guard case .suspect = planner.verdict(master: master, silentFor: .seconds(4), vm: running, cloudChecked: false, replicas: []) else {
            Issue.record("without a replica or the cloud to confirm, no failover")
            return
        }
    }

    @Test("An automatic failover waits out the hold and never overlaps another promotion")
    func automaticStart() {
        let dead = PromotionPlanner.MasterVerdict.dead("gone")
        #expect(planner.startsAutomaticFailover(verdict: dead, holdUntil: nil, promotionUnderway: false, now: now))
        #expect(!planner.startsAutomaticFailover(verdict: dead, holdUntil: now + 10, promotionUnderway: false, now: now))
        #expect(planner.startsAutomaticFailover(verdict: dead, holdUntil: now - 1, promotionUnderway: false, now: now))
        #expect(!planner.startsAutomaticFailover(verdict: dead, holdUntil: nil, promotionUnderway: true, now: now))
        #expect(!planner.startsAutomaticFailover(verdict: .suspect("x"), holdUntil: nil, promotionUnderway: false, now: now))
        let manualOnly = PromotionPlanner(policy: FailoverPolicy(automatic: false))
        #expect(!manualOnly.startsAutomaticFailover(verdict: dead, holdUntil: nil, promotionUnderway: false, now: now))
    }

    @Test("The election takes the highest received GTID, never a replica with an error, a stale one only when nothing current has as much")
    func election() throws {
        let candidates = [
            PromotionPlanner.Candidate(node: "node-2", status: replica("node-2", received: "0-1-100")),
            PromotionPlanner.Candidate(node: "node-3", status: replica("node-3", received: "0-1-104")),
            PromotionPlanner.Candidate(node: "node-4", status: replica("node-4", received: "0-1-200", error: "Duplicate entry")),
            PromotionPlanner.Candidate(node: "node-5", status: nil),
        ]
        #expect(try planner.elect(among: candidates, requested: nil, maxLag: .seconds(10)).get() == "node-3")
        let stopped = [
            PromotionPlanner.Candidate(node: "node-2", status: replica("node-2", received: "0-1-104", sql: "No", lag: 30)),
            PromotionPlanner.Candidate(node: "node-3", status: replica("node-3", received: "0-1-104")),
        ]
        #expect(try planner.elect(among: stopped, requested: nil, maxLag: .seconds(10)).get() == "node-3")
        let onlyStaleHasIt = [
            PromotionPlanner.Candidate(node: "node-2", status: replica("node-2", received: "0-1-110", lag: 30)),
            PromotionPlanner.Candidate(node: "node-3", status: replica("node-3", received: "0-1-104")),
        ]
        #expect(try planner.elect(among: onlyStaleHasIt, requested: nil, maxLag: .seconds(10)).get() == "node-2")
        #expect(throws: PromotionPlanner.ElectionFailure.self) { try planner.elect(among: stopped, requested: "node-2", maxLag: .seconds(10)).get() }
        #expect(try planner.elect(among: stopped, requested: "node-3", maxLag: .seconds(10)).get() == "node-3")
        let broken = [PromotionPlanner.Candidate(node: "node-4", status: replica("node-4", error: "Duplicate entry"))]
        #expect(throws: PromotionPlanner.ElectionFailure(reasons: ["node-4 has a replication error: Duplicate entry"])) {
            try planner.elect(among: broken, requested: nil, maxLag: .seconds(10)).get()
        }
    }

    @Test("Repairs: a writable non-master is fenced; a read-only master or a wrong semi-sync setting is set up again")
    func repairs() {
        var master = masterStatus(readOnly: true, semiSync: false)
        var writable = replica("node-2")
        writable.readOnly = false
        let nodes = [node("node-1", role: .master), node("node-2"), node("node-3")]
        let repairs = PromotionPlanner.repairs(nodes: nodes, statuses: ["node-1": master, "node-2": writable, "node-3": replica("node-3")])
        #expect(repairs == [.restoreMaster(node: "node-1", semiSync: true), .fence(node: "node-2")])
        master.readOnly = false
        master.semiSync?.masterEnabled = true
        #expect(PromotionPlanner.repairs(nodes: nodes, statuses: ["node-1": master, "node-3": replica("node-3")]).isEmpty)
    }

    @Test("Repairs: a read-only replica not replicating from the master (none set up, another source, still calling itself master) is pointed at it")
    func followRepairs() {
        let nodes = [node("node-1", role: .master), node("node-2"), node("node-3"), node("node-4")]
        let master = masterStatus(readOnly: false, semiSync: true)
        var unset = replica("node-2")
        unset.replication = nil
        var elsewhere = replica("node-3")
        elsewhere.replication?.masterHost = "127.0.1.3"
        var oldMaster = replica("node-4")
        oldMaster.role = .master
        let statuses = ["node-1": master, "node-2": unset, "node-3": elsewhere, "node-4": oldMaster]
        #expect(PromotionPlanner.repairs(nodes: nodes, statuses: statuses)
            == [.follow(node: "node-2", demote: false), .follow(node: "node-3", demote: false), .follow(node: "node-4", demote: true)])
        let healthy = ["node-1": master, "node-2": replica("node-2"), "node-3": replica("node-3"), "node-4": replica("node-4")]
        #expect(PromotionPlanner.repairs(nodes: nodes, statuses: healthy).isEmpty)
        #expect(PromotionPlanner.repairs(nodes: [node("node-1", role: .master, state: .failed), node("node-2")], statuses: ["node-2": unset]).isEmpty)
    }

    @Test("Replicas FAILED longer than --replace-after are replaced; masters and nodes without a VM are not")
    func replacement() {
        var noVM = node("node-4", state: .failed, failedAt: now - 100)
        noVM.vmID = nil
        let nodes = [
            node("node-1", role: .master, state: .failed, failedAt: now - 100), node("node-2", state: .failed, failedAt: now - 61),
            node("node-3", state: .failed, failedAt: now - 30), noVM,
        ]
        #expect(planner.replicasToReplace(nodes, now: now).map(\.id) == ["node-2"])
        #expect(PromotionPlanner(policy: FailoverPolicy(heal: false)).replicasToReplace(nodes, now: now).isEmpty)
    }

    @Test("GTID positions compare domain by domain and name what one lacks")
    func gtidPositions() throws {
        let old = try #require(GTIDPosition("0-1-105,1-3-7"))
        let promoted = try #require(GTIDPosition("0-1-101,1-3-7"))
        #expect(old.contains(promoted) && !promoted.contains(old))
        #expect(old.missing(from: promoted) == ["0-1-102..105"])
        #expect(GTIDPosition("0-1-102")!.missing(from: promoted) == ["0-1-102"])
        #expect(GTIDPosition("")?.domains.isEmpty == true)
        #expect(GTIDPosition("0-1") == nil && GTIDPosition("a-b-c") == nil)
        #expect(old.description == "0-1-105,1-3-7")
    }

    @Test("semi_sync reads n/a without replicas, on while the master waits for them, else off")
    func semiSyncState() {
        var master = replica("node-1")
        master.semiSync = AgentStatus.SemiSync(masterEnabled: true, masterActive: true, masterClients: 2, slaveActive: false)
        #expect(PromotionPlanner.semiSyncState(master: master, runningReplicas: 0) == "n/a")
        #expect(PromotionPlanner.semiSyncState(master: master, runningReplicas: 2) == "on")
        master.semiSync?.masterActive = false
        #expect(PromotionPlanner.semiSyncState(master: master, runningReplicas: 2) == "off")
        #expect(PromotionPlanner.semiSyncState(master: nil, runningReplicas: 1) == "off")
    }
}
