import ConPaaSCore
import OpenNebula
import OpenNebulaSimulator
import TestSupport
import Testing

@Suite("onesim keeps its pool across restarts and separates users")
struct PersistenceAndUsersTests {
    @Test func thePoolSurvivesARestart() async throws {
        let directory = temporaryDirectory()
        let (first, ended) = try await withLiveSimulator(profile: .v6_10, stateDirectory: directory) { live in
            let driver = try await makeDriver(live)
            let first = try await driver.createVM(VMRequest(name: "p-0", context: [:]))
            let ended = try await driver.createVM(VMRequest(name: "p-1", context: [:]))
            try await eventually("every VM runs") { try await driver.listVMs(namePrefix: "p-").allSatisfy { $0.status == .running } }
            try await driver.destroyVM(id: ended.id)
            try await eventually("p-1 is terminated") { try await driver.listVMs(namePrefix: "p-1").first?.status == .terminated }
            return (first, ended)
        }
        try await withLiveSimulator(profile: .v6_10, stateDirectory: directory) { live in
            let running = try VMDocument.parseVM(try await live.client.vmInfo(id: try #require(Int(first.id))))
            #expect(running.state == 3 && running.lcmState == 3)
            #expect(running.addresses == ["10.0.0.2"])
            let done = try VMDocument.parseVM(try await live.client.vmInfo(id: try #require(Int(ended.id))))
            #expect(done.state == 6)
            let next = try await live.client.allocateVM(template: "CPU=1\nMEMORY=64\nNIC=[NETWORK_ID=0]\n", hold: false)
            #expect(next == 2, "ids are never reused")
            let lease = try VMDocument.parseVM(try await live.client.vmInfo(id: next)).addresses
            #expect(lease == ["10.0.0.3"], "the running VM keeps its lease; the DONE one gave its back")
        }
    }

    @Test func usersSeeTheirOwnVMs() async throws {
        let users = [SimulatedUser(id: 0, name: "oneadmin", password: "opennebula"), SimulatedUser(id: 1, name: "alice", password: "a:b")]
        try await withLiveSimulator(profile: .v5_12, users: users) { live in
            let admin = try await makeDriver(live)
            let alice = try await makeDriver(live, user: "alice", password: "a:b")
            let adminVM = try await admin.createVM(VMRequest(name: "svc-admin", context: [:]))
            let aliceVM = try await alice.createVM(VMRequest(name: "svc-alice", context: [:]))
            #expect(try await alice.listVMs(namePrefix: "svc-").map(\.id) == [aliceVM.id])
            #expect(try await admin.listVMs(namePrefix: "svc-").map(\.id) == [adminVM.id], "the driver lists its user's VMs only")
            let pool = try VMDocument.parsePool(try await live.client.vmPoolInfo(filter: -2, state: -1))
            #expect(pool.count == 2, "oneadmin sees every VM with filter -2")
            do {
                try await alice.destroyVM(id: adminVM.id)
                Issue.record("alice may not destroy oneadmin's VM")
            } catch let error as CloudError {
                #expect(error.code == .refused)
                #expect(error.message.contains("Not authorized"))
            }
        }
    }
}
