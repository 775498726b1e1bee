import ConPaaSCore
@testable import OpenNebula
@testable import OpenNebulaSimulator
import Testing

@Suite("VM states, versions and action names")
struct StateMappingTests {
    private func status(_ state: Int, _ lcm: Int, requested: Bool = false) -> (VMStatus, String?) {
        let record = VMRecord(id: 5, name: "agent-5", state: state, lcmState: lcm)
        let (status, reason) = VMStatusMapping.status(of: record, terminationRequested: requested)
        return (status, reason)
    }

    @Test(arguments: [
        (0, 0, VMStatus.pending), (1, 0, .pending), (2, 0, .pending), (10, 0, .pending),
        (3, 0, .booting), (3, 1, .booting), (3, 2, .booting), (3, 20, .booting),
        (3, 3, .running), (3, 4, .running), (3, 17, .running),
    ])
    func liveStates(state: Int, lcm: Int, expected: VMStatus) {
        let (status, reason) = status(state, lcm)
        #expect(status == expected)
        #expect(reason == nil)
    }

    @Test(arguments: [
        (7, 0, "FAILED"), (3, 14, "ACTIVE/FAILURE"), (3, 36, "ACTIVE/BOOT_FAILURE"), (3, 39, "ACTIVE/PROLOG_FAILURE"),
        (3, 40, "ACTIVE/EPILOG_FAILURE"), (3, 16, "ACTIVE/UNKNOWN"), (11, 0, "CLONING_FAILURE"), (8, 0, "POWEROFF"),
        (4, 0, "STOPPED"), (5, 0, "SUSPENDED"), (9, 0, "UNDEPLOYED"), (3, 99, "ACTIVE/LCM_STATE 99"), (42, 0, "STATE 42"),
    ])
    func failedStatesNameTheState(state: Int, lcm: Int, name: String) throws {
        let (status, reason) = status(state, lcm)
        #expect(status == .failed)
        #expect(try #require(reason) == "VM 5 (agent-5) is \(name)")
    }

    @Test func doneAndShutdownDependOnWhoAskedForThem() {
        #expect(status(6, 0, requested: true).0 == .terminated)
        #expect(status(3, 12, requested: true).0 == .stopping)
        #expect(status(3, 11, requested: true).0 == .stopping)
        let unasked = status(6, 0)
        #expect(unasked.0 == .failed)
        #expect(unasked.1 == "VM 5 (agent-5) is DONE but this manager did not terminate it")
        #expect(status(3, 12).0 == .failed)
    }

    @Test func versionsParseAndChooseTheirActions() throws {
        #expect(OpenNebulaVersion("6.10.0") == OpenNebulaVersion(major: 6, minor: 10))
        #expect(OpenNebulaVersion("5.12.0.4") == OpenNebulaVersion(major: 5, minor: 12))
        #expect(OpenNebulaVersion("3.8.4")?.description == "3.8")
        #expect(OpenNebulaVersion("7.0") == OpenNebulaVersion(major: 7, minor: 0))
        #expect(OpenNebulaVersion("OpenNebula") == nil)
        #expect(try #require(OpenNebulaVersion("5.12.0")) > OpenNebulaVersion(major: 4, minor: 14))
        #expect(OpenNebulaVersion.withoutVersionMethod.destroySteps == [.action("cancel"), .action("finalize")])
        #expect(OpenNebulaVersion(major: 4, minor: 14).destroySteps == [.action("shutdown-hard"), .action("delete")])
        #expect(OpenNebulaVersion(major: 5, minor: 12).destroySteps == [.action("terminate-hard"), .recoverDelete])
        #expect(OpenNebulaVersion(major: 7, minor: 0).destroySteps == [.action("terminate-hard"), .recoverDelete])
        #expect(!OpenNebulaVersion(major: 3, minor: 8).allocateTakesHoldFlag)
        #expect(OpenNebulaVersion(major: 4, minor: 0).allocateTakesHoldFlag)
    }

    @Test func onesimAcceptsEachVersionsActionNames() {
        #expect(SimulatorProfile.v3_8.action(named: "cancel") == .cancel)
        #expect(SimulatorProfile.v3_8.action(named: "finalize") == .finalize)
        #expect(SimulatorProfile.v3_8.action(named: "shutdown") == .shutdown)
        #expect(SimulatorProfile.v3_8.action(named: "terminate-hard") == nil)
        #expect(SimulatorProfile.v5_12.action(named: "shutdown-hard") == .terminateHard)
        #expect(SimulatorProfile.v5_12.action(named: "terminate") == .terminate)
        for profile in [SimulatorProfile.v6_10, .v7_0] {
            #expect(profile.action(named: "terminate-hard") == .terminateHard)
            #expect(profile.action(named: "shutdown") == nil)
            #expect(profile.action(named: "delete") == nil)
        }
    }

    @Test func failureAnswersHaveEachVersionsShape() {
        let failure = OneFailure.noSuchVM(4)
        guard case .array(let old) = SimulatorProfile.v3_8.failureAnswer(method: "one.vm.info", failure),
              case .array(let new) = SimulatorProfile.v6_10.failureAnswer(method: "one.vm.info", failure) else {
            Issue.record("answers are arrays")
            return
        }
        #expect(old.count == 3)
        #expect(new.count == 5)
        guard case .string(let oldMessage) = old[1], case .string(let newMessage) = new[1] else { return }
        #expect(oldMessage == "[VirtualMachineInfo] Error getting virtual machine [4].")
        #expect(newMessage == "[one.vm.info] Error getting virtual machine [4].")
    }
}
