import ConPaaSCore
import Foundation
@testable import Manager
import Testing

@Suite("Endpoint decisions and HAProxy's texts")
struct EndpointPlannerTests {
    let now = Date(timeIntervalSince1970: 3_000_000)

    func node(_ number: Int, role: NodeRole = .slave, state: NodeState = .running) -> NodeRecord {
        NodeRecord(id: "node-\(number)", number: number, vmID: "\(number)", address: "127.0.1.\(number)", role: role, state: state,
                   serverID: number, attempts: 0, createRequested: true, createdAt: now)
    }

    func status(_ id: String, lag: Double?, error: String = "") -> AgentStatus {
        var status = AgentStatus(id: id, state: "RUNNING", ip: "", port: 60000, mysqldPort: 3306, role: .slave, serverID: 1)
        status.performance = AgentStatus.Performance(queriesPerSecond: 0, errorsPerSecond: 0, connections: 0, responseTimeMs: 0, heartbeatLagSeconds: lag)
        status.replication = AgentStatus.Replication(
            masterHost: "127.0.1.1", ioRunning: "Yes", sqlRunning: error.isEmpty ? "Yes" : "No", secondsBehindMaster: 0, lastIOError: "",
            lastSQLError: error, usingGTID: "Slave_Pos", gtidIOPos: "0-1-5")
        return status
    }

    func snapshot(_ nodes: [NodeRecord], promotion: PromotionRecord? = nil) -> ServiceSnapshot {
        ServiceSnapshot(
            service: ServiceRecord(tag: "t", lifecycle: .active, nextServerID: 5, nextNodeNumber: 5, createdAt: now), liveNodes: nodes, runningJobs: [],
            promotions: promotion.map { [$0] } ?? [])
    }

    @Test("The writer is the writable master; readers are current replicas; the master is the reader's fallback")
    func layout() {
        let nodes = [node(1, role: .master), node(2), node(3), node(4), node(5, state: .configuring)]
        let statuses = ["node-2": status("node-2", lag: 0.3), "node-3": status("node-3", lag: 12), "node-4": status("node-4", lag: 0, error: "Duplicate")]
        let layout = EndpointPlanner.layout(of: snapshot(nodes), statuses: statuses, maxLag: .seconds(10))
        #expect(layout == .init(writer: "127.0.1.1", readers: ["127.0.1.2"], fallback: "127.0.1.1"))
    }

    @Test("A replica whose lag is unknown does not read: no status yet, or a status without a lag")
    func unknownLag() {
        let nodes = [node(1, role: .master), node(2), node(3), node(4)]
        let statuses = ["node-2": status("node-2", lag: 0.3), "node-3": status("node-3", lag: nil)]
        #expect(EndpointPlanner.layout(of: snapshot(nodes), statuses: statuses, maxLag: .seconds(10)).readers == ["127.0.1.2"])
        #expect(EndpointPlanner.layout(of: snapshot(nodes), statuses: [:], maxLag: .seconds(10)).readers == [])
    }

    @Test("During a switchover the writer stays until FENCE, has nobody until PROMOTE, then the new master")
    func layoutDuringPromotion() {
        let nodes = [node(1, role: .master), node(2), node(3)]
        var promotion = PromotionRecord(
            jobID: 2, kind: .switchover, automatic: false, fromNode: "node-1", toNode: "node-2", afterwards: .demote, stage: .elect, startedAt: now)
        let statuses = ["node-2": status("node-2", lag: 0), "node-3": status("node-3", lag: 0)]
        #expect(EndpointPlanner.layout(of: snapshot(nodes, promotion: promotion), statuses: statuses, maxLag: .seconds(10))
            == .init(writer: "127.0.1.1", readers: ["127.0.1.3"], fallback: "127.0.1.1"))
        promotion.fencedAt = now
        #expect(EndpointPlanner.layout(of: snapshot(nodes, promotion: promotion), statuses: [:], maxLag: .seconds(10)).writer == nil)
        promotion.promotedAt = now
        #expect(EndpointPlanner.layout(of: snapshot(nodes, promotion: promotion), statuses: [:], maxLag: .seconds(10)).writer == "127.0.1.2")
    }

    @Test("Commands: slots are pointed and made ready once, a changing master loses its sessions, a reader keeps its slot")
    func commands() {
        let fresh = EndpointPlanner.parseServersState(Self.serversState)
        #expect(fresh.count == 4 && fresh.allSatisfy(\.inMaintenance))
        let layout = EndpointPlanner.Layout(writer: "127.0.1.1", readers: ["127.0.1.2"], fallback: "127.0.1.1")
        #expect(EndpointPlanner.commands(from: fresh, to: layout, port: 3306) == [
            "set server writer/master addr 127.0.1.1 port 3306", "set server writer/master state ready", "set server writer/master health up",
            "set server reader/master addr 127.0.1.1 port 3306", "set server reader/master state ready", "set server reader/master health up",
            "set server reader/r1 addr 127.0.1.2 port 3306", "set server reader/r1 state ready", "set server reader/r1 health up",
        ])
        var applied = fresh
        applied[0].address = "127.0.1.1"; applied[0].port = 3306; applied[0].inMaintenance = false
        applied[1].address = "127.0.1.2"; applied[1].port = 3306; applied[1].inMaintenance = false
        applied[3].address = "127.0.1.1"; applied[3].port = 3306; applied[3].inMaintenance = false
        #expect(EndpointPlanner.commands(from: applied, to: layout, port: 3306).isEmpty)
        let switched = EndpointPlanner.Layout(writer: "127.0.1.2", readers: ["127.0.1.1"], fallback: "127.0.1.2")
        #expect(EndpointPlanner.commands(from: applied, to: switched, port: 3306) == [
            "set server writer/master state maint", "shutdown sessions server writer/master",
            "set server writer/master addr 127.0.1.2 port 3306", "set server writer/master state ready", "set server writer/master health up",
            "set server reader/master state maint", "shutdown sessions server reader/master",
            "set server reader/master addr 127.0.1.2 port 3306", "set server reader/master state ready", "set server reader/master health up",
            "set server reader/r1 state maint",
            "set server reader/r2 addr 127.0.1.1 port 3306", "set server reader/r2 state ready", "set server reader/r2 health up",
        ])
        #expect(EndpointPlanner.commands(from: applied, to: .init(writer: nil, readers: ["127.0.1.2"], fallback: nil), port: 3306) == [
            "set server writer/master state maint", "shutdown sessions server writer/master",
            "set server reader/master state maint", "shutdown sessions server reader/master",
        ])
    }

    @Test("The configuration binds both endpoints alone (no SO_REUSEPORT), runs one thread, preallocates the slots and keeps the admin socket private")
    func config() {
        let config = HAProxyConfig(
            options: EndpointOptions(address: "127.0.0.1", writerPort: 3306, readerPort: 3307), readerSlots: 3, directory: "/srv/m/haproxy")
        let text = config.render()
        #expect(text.contains("bind 127.0.0.1:3306\n") && text.contains("bind 127.0.0.1:3307\n"))
        #expect(text.contains("\n    noreuseport\n    nbthread 1\n"))
        #expect(text.contains("stats socket /srv/m/haproxy/admin.sock mode 600 level admin"))
        #expect(text.components(separatedBy: "\n    server r").count == 4)
        #expect(text.contains("server master 127.0.0.1:1 disabled backup check"))
    }

    @Test("show stat becomes Prometheus lines for the servers in use")
    func stats() {
        let csv = """
            # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,addr
            writer,FRONTEND,,,1,1,4096,3,0,0,0,0,0,,,,,OPEN,
            writer,master,0,0,1,1,,3,0,0,,0,,1,2,0,0,UP,127.0.1.2:3306
            reader,r1,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,127.0.0.1:1
            reader,BACKEND,0,0,0,0,,0,0,0,,0,,0,0,0,0,UP,
            """
        let text = HAProxyStats.prometheusLines(fromCSV: csv)
        #expect(text.contains(#"conpaassql_endpoint_sessions{endpoint="writer",slot="master",server="127.0.1.2:3306"} 1"#))
        #expect(text.contains(#"conpaassql_endpoint_errors_total{endpoint="writer",slot="master",server="127.0.1.2:3306"} 3"#))
        #expect(!text.contains("r1"))
    }

    static let serversState = """
        1
        # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
        3 writer 1 master 127.0.0.1 0 5 1 1 1 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
        5 reader 1 r1 127.0.0.1 0 5 1 1 1 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
        5 reader 2 r2 127.0.0.1 0 5 1 1 1 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
        5 reader 3 master 127.0.0.1 0 5 1 1 1 1 0 0 14 0 0 0 - 1 - 0 0 - - 0
        """

    @Test("A slot made ready keeps the configuration's disabled bit (4) but serves")
    func readyAfterDisabled() {
        let slots = EndpointPlanner.parseServersState("3 writer 1 master 127.0.151.1 2 4 1 1 698 6 3 2 6 0 0 0 - 3306 - 0 0 - - 0")
        #expect(slots == [ServerSlot(id: HAProxyConfig.writerSlot, address: "127.0.151.1", port: 3306, inMaintenance: false)])
    }
}
