import ConPaaSCore
import OpenNebula
import OpenNebulaSimulator
import TestSupport
import Testing

/// A booter that never finishes: its VMs stay in BOOT.
private struct StuckBooter: SimulatedVMBooter {
    func boot(id: Int, name: String, address: String, context: [String: String]) async throws {
        try await Task.sleep(for: .seconds(3600))
    }

    func destroy(id: Int) async {}
}

@Suite("OpenNebulaDriver against onesim, every profile")
struct DriverProfileTests {
    @Test(arguments: SimulatorProfile.allCases)
    func allocateInfoPoolTerminateReconcile(profile: SimulatorProfile) async throws {
        try await withLiveSimulator(profile: profile) { live in
            let driver = try await makeDriver(live)
            #expect(driver.version == OpenNebulaVersion(profile.version))
            let context = ["MANAGER_IP": "127.0.0.1", "MANAGER_PORT": "50000", "NODE_ID": "1", "SERVICE_SECRET": "s3cr3t"]
            let created = try await driver.createVM(VMRequest(name: "svc1-node1", context: context))
            #expect([.pending, .booting, .running].contains(created.status), "one step per 30 ms: any live state")
            #expect(created.address == "10.0.0.2", "the lease is known at allocate time")
            #expect(created.name == "svc1-node1")
            let id = try #require(Int(created.id))
            let document = try await live.client.vmInfo(id: id)
            #expect(document.contains("<IP_PUBLIC><![CDATA[10.0.0.2]]></IP_PUBLIC>"))
            #expect(document.contains("<VMID><![CDATA[\(id)]]></VMID>"))
            #expect(document.contains("<SERVICE_SECRET><![CDATA[s3cr3t]]></SERVICE_SECRET>"))
            #expect(document.contains("<CONPAASSQL_ROLE><![CDATA[agent]]></CONPAASSQL_ROLE>"))
            #expect(document.contains("<ETH0_IP><![CDATA[10.0.0.2]]></ETH0_IP>"))
            #expect(document.contains("<ETH0_GATEWAY><![CDATA[10.0.0.1]]></ETH0_GATEWAY>"))

            let other = try await driver.createVM(VMRequest(name: "svc2-node1", context: [:]))
            #expect(other.address == "10.0.0.3")
            try await eventually("the VM runs") { try await driver.listVMs(namePrefix: "svc1-").first?.status == .running }
            let listed = try await driver.listVMs(namePrefix: "svc1-")
            #expect(listed == [VMInfo(id: created.id, name: "svc1-node1", address: "10.0.0.2", status: .running)])

            try await driver.destroyVM(id: created.id)
            try await eventually("every VM is terminated") { try await driver.listVMs(namePrefix: "svc1-").allSatisfy { $0.status == .terminated } }
            try await driver.destroyVM(id: created.id)
            try await driver.destroyVM(id: "4242")
            #expect(try await driver.listVMs(namePrefix: "svc2-").map(\.id) == [other.id])
            #expect(try await driver.listVMs(namePrefix: "svc3-").isEmpty)
        }
    }

    @Test(arguments: SimulatorProfile.allCases)
    func destroyingAVMInTheMiddleOfItsBoot(profile: SimulatorProfile) async throws {
        try await withLiveSimulator(profile: profile, booter: StuckBooter()) { live in
            let driver = try await makeDriver(live)
            let created = try await driver.createVM(VMRequest(name: "stuck-1", context: [:]))
            try await eventually("the VM is stuck booting") { try await driver.listVMs(namePrefix: "stuck-").first?.status == .booting }
            try await driver.destroyVM(id: created.id)
            try await eventually("the stuck VM is terminated") { try await driver.listVMs(namePrefix: "stuck-").first?.status == .terminated }
        }
    }

    @Test(arguments: SimulatorProfile.allCases)
    func listVMsIsOneCallWhateverTheNumberOfPendingVMs(profile: SimulatorProfile) async throws {
        try await withLiveSimulator(profile: profile, transitionDelay: .seconds(3600)) { live in
            let driver = try await makeDriver(live)
            var created = 0
            for count in [1, 10, 100] {
                while created < count {
                    _ = try await driver.createVM(VMRequest(name: "poll-\(created)", context: ["NODE_ID": "\(created)"]))
                    created += 1
                }
                let before = await live.simulator.callCounts()
                let started = ContinuousClock.now
                let vms = try await driver.listVMs(namePrefix: "poll-")
                let elapsed = (ContinuousClock.now - started).components
                let after = await live.simulator.callCounts()
                let calls = after.values.reduce(0, +) - before.values.reduce(0, +)
                let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
                print("calls per poll: profile \(profile.rawValue), \(count) pending VMs: \(calls) XML-RPC call(s), \(milliseconds) ms")
                #expect(calls == 1)
                #expect(after["one.vmpool.info", default: 0] == before["one.vmpool.info", default: 0] + 1)
                #expect(vms.count == count)
                #expect(vms.allSatisfy { $0.status == .pending && $0.address != nil })
            }
        }
    }
}

@Suite("Pools larger than xmlrpc-c's default 512 KiB answer limit")
struct BigPoolTests {
    @Test func aPoolOfSeveralMegabytesIsRead() async throws {
        try await withLiveSimulator(profile: .v3_8, transitionDelay: .seconds(3600)) { live in
            let client = live.client
            let padding = String(repeating: "0123456789abcdef", count: 4096)
            for index in 0..<40 {
                _ = try await client.allocateVM(template: "NAME = \"big-\(index)\"\nCPU = 1\nMEMORY = 64\nPADDING = \"\(padding)\"\n", hold: nil)
            }
            let document = try await client.vmPoolInfo(filter: -3, state: -2)
            #expect(document.utf8.count > 2 << 20)
            let driver = try await makeDriver(live)
            #expect(try await driver.listVMs(namePrefix: "big-").count == 40)
        }
    }
}
