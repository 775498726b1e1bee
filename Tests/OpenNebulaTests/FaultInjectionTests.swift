import ConPaaSCore
import OpenNebula
import OpenNebulaSimulator
import TestSupport
import Testing

/// Injected failures reach the manager as the right CloudError, never as a crash.
@Suite("Fault injection: every failure becomes the right CloudError")
struct FaultInjectionTests {
    private func cloudError(_ body: () async throws -> some Any) async -> CloudError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? CloudError
        }
    }

    @Test(arguments: [SimulatorProfile.v3_8, .v6_10])
    func allocationFailuresAreRefusals(profile: SimulatorProfile) async throws {
        try await withLiveSimulator(profile: profile, faults: "allocate:1") { live in
            let driver = try await makeDriver(live)
            let error = try #require(await cloudError { try await driver.createVM(VMRequest(name: "a-1", context: [:])) })
            #expect(error.code == .refused)
            #expect(error.message.hasSuffix("Error allocating a new virtual machine. Simulated failure (onesim --faults allocate)."))
        }
    }

    @Test func anAllocationFailureByIDHappensOnce() async throws {
        try await withLiveSimulator(profile: .v5_12, faults: "allocate@0") { live in
            let driver = try await makeDriver(live)
            #expect(await cloudError { try await driver.createVM(VMRequest(name: "a-1", context: [:])) }?.code == .refused)
            #expect(try await driver.createVM(VMRequest(name: "a-1", context: [:])).id == "0")
        }
    }

    @Test(arguments: [(SimulatorProfile.v3_8, "is FAILED"), (.v5_12, "is ACTIVE/BOOT_FAILURE"), (.v7_0, "is ACTIVE/BOOT_FAILURE")])
    func vmsThatFailToBootAreReportedWithTheirState(profile: SimulatorProfile, state: String) async throws {
        try await withLiveSimulator(profile: profile, faults: "fail@1") { live in
            let driver = try await makeDriver(live)
            _ = try await driver.createVM(VMRequest(name: "f-0", context: [:]))
            let failing = try await driver.createVM(VMRequest(name: "f-1", context: [:]))
            try await eventually("the injected failure is listed") { try await driver.listVMs(namePrefix: "f-").contains { $0.status == .failed } }
            let listed = try await driver.listVMs(namePrefix: "f-")
            let failed = try #require(listed.first { $0.id == failing.id })
            #expect(failed.reason == "VM \(failing.id) (f-1) \(state)")
            try await driver.destroyVM(id: failing.id)
            try await eventually("the failed VM is terminated") { try await driver.listVMs(namePrefix: "f-1").first?.status == .terminated }
        }
    }

    @Test func vanishedVMsDisappearAndDestroyingThemSucceeds() async throws {
        try await withLiveSimulator(profile: .v6_10, faults: "vanish@0") { live in
            let driver = try await makeDriver(live)
            let vm = try await driver.createVM(VMRequest(name: "v-0", context: [:]))
            try await eventually("the VM vanishes from the pool") { try await driver.listVMs(namePrefix: "v-").isEmpty }
            try await driver.destroyVM(id: vm.id)
            do {
                _ = try await live.client.vmInfo(id: 0)
                Issue.record("a vanished VM has no info")
            } catch {
                #expect((error as? OpenNebulaError)?.kind == .noExists)
            }
        }
    }

    @Test func aVMEndedBehindTheManagersBackIsFailed() async throws {
        try await withLiveSimulator(profile: .v6_10) { live in
            let driver = try await makeDriver(live)
            let vm = try await driver.createVM(VMRequest(name: "d-0", context: [:]))
            try await eventually("the VM runs") { try await driver.listVMs(namePrefix: "d-").first?.status == .running }
            try await live.client.vmAction("terminate-hard", id: 0)
            try await eventually("the VM ended by someone else is failed") { try await driver.listVMs(namePrefix: "d-").first?.status == .failed }
            let listed = try await driver.listVMs(namePrefix: "d-")
            #expect(listed.first?.reason == "VM \(vm.id) (d-0) is DONE but this manager did not terminate it")
        }
    }

    @Test func authenticationFailures() async throws {
        try await withLiveSimulator(profile: .v6_10, faults: "auth:1") { live in
            let error = try #require(await cloudError { try await makeDriver(live) })
            #expect(error.code == .authentication)
            #expect(error.message == "[one.system.version] User couldn't be authenticated, aborting call.")
        }
        try await withLiveSimulator(profile: .v3_8) { live in
            let error = try #require(await cloudError { try await makeDriver(live, password: "wrong") })
            #expect(error.code == .authentication)
            #expect(error.message == "[SystemVersion] User couldn't be authenticated, aborting call.")
        }
    }

    @Test func slowAnswersTimeOut() async throws {
        try await withLiveSimulator(profile: .v6_10, faults: "slow:1:3000") { live in
            let error = try #require(await cloudError { try await makeDriver(live, timeout: .milliseconds(500)) })
            #expect(error.code == .unreachable)
            #expect(error.message.localizedCaseInsensitiveContains("timed out") || error.message.contains("Timeout"))
        }
    }

    @Test func nothingListening() async throws {
        let configuration = OpenNebulaConfiguration(
            endpoint: "http://127.0.0.1:1/RPC2", user: "oneadmin", password: "x", imageID: 0, networkID: 0,
            templateFile: DriverFiles.agentTemplate, cpu: 1, memoryMB: 64, initScript: try DriverFiles.initScript(), timeout: .seconds(2))
        let error = try #require(await cloudError { try await OpenNebulaDriver(configuration: configuration, logger: quietLogger, threadPool: testThreadPool) })
        #expect(error.code == .unreachable)
    }

    @Test(arguments: [
        "this is not XML",
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><string>no array</string></value></param></params></methodResponse>",
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><array><data><value><boolean>1</boolean></value><value><string>&lt;VM_POOL&gt;&lt;VM&gt;</string></value><value><i4>0</i4></value></data></array></value></param></params></methodResponse>",
    ])
    func garbageAnswersAreInvalidResponses(answer: String) async throws {
        try await withFakeEndpoint(answering: answer) { endpoint in
            let configuration = OpenNebulaConfiguration(
                endpoint: endpoint, user: "oneadmin", password: "x", imageID: 0, networkID: 0,
                templateFile: DriverFiles.agentTemplate, cpu: 1, memoryMB: 64, initScript: try DriverFiles.initScript())
            let driver = try await OpenNebulaDriver(configuration: configuration, logger: quietLogger, threadPool: testThreadPool)
            let error = try #require(await cloudError { try await driver.listVMs(namePrefix: "x") })
            #expect(error.code == .invalidResponse)
        }
    }
}
