@testable import OpenNebulaSimulator
import Testing

@Suite("onesim's VM state machine")
struct VMLifecycleTests {
    private func vm(_ phase: VMPhase = .pending, fate: VMFate = .normal, at time: Double = 0) -> SimulatedVM {
        SimulatedVM(
            id: 3, uid: 0, uname: "oneadmin", name: "one-3", phase: phase, previousPhase: phase, startTime: 0,
            template: [.vector(name: "NIC", values: ["IP": "10.0.0.2"])], userTemplate: [], phaseStarted: time, fate: fate)
    }

    private let lifecycle = VMLifecycle(profile: .v6_10, step: 1, booting: false)

    @Test func pendingToRunningOneStepApart() {
        var machine = vm()
        #expect(lifecycle.advance(&machine, now: 0.5).isEmpty)
        #expect(machine.phase == .pending)
        _ = lifecycle.advance(&machine, now: 1.0)
        #expect(machine.phase == .prolog)
        #expect(machine.historyStart == 1)
        _ = lifecycle.advance(&machine, now: 2.5)
        #expect(machine.phase == .boot)
        #expect(machine.deployID == "one-3")
        _ = lifecycle.advance(&machine, now: 10)
        #expect(machine.phase == .running)
        #expect(machine.previousPhase == .boot)
    }

    @Test func aBooterHoldsBootUntilItAnswers() {
        let booting = VMLifecycle(profile: .v6_10, step: 1, booting: true)
        var machine = vm()
        #expect(booting.advance(&machine, now: 2) == [.bootRequested(3)])
        _ = booting.advance(&machine, now: 10)
        #expect(machine.phase == .boot)
        machine.boot = .failed("no such image")
        _ = booting.advance(&machine, now: 11)
        #expect(machine.phase == .bootFailure)
        #expect(machine.userTemplate.contains(.single(name: "ERROR", value: "no such image")))
    }

    @Test func failingVMsEndInEachVersionsFailureState() {
        var modern = vm(fate: .fail)
        _ = lifecycle.advance(&modern, now: 10)
        #expect(modern.phase == .bootFailure)
        var old = vm(fate: .fail)
        _ = VMLifecycle(profile: .v3_8, step: 1, booting: false).advance(&old, now: 10)
        #expect(old.phase == .failed)
    }

    @Test func vanishingVMsLeaveOneStepAfterRunning() {
        var machine = vm(fate: .vanish)
        #expect(lifecycle.advance(&machine, now: 3.5).isEmpty)
        #expect(machine.phase == .running)
        #expect(lifecycle.advance(&machine, now: 4.1) == [.vanished(3)])
    }

    @Test func terminateHardFromRunningGoesThroughShutdownAndEpilog() throws {
        var machine = vm(.running)
        #expect(try lifecycle.perform(.terminateHard, name: "terminate-hard", on: &machine, now: 5).isEmpty)
        #expect(machine.phase == .shutdown)
        _ = lifecycle.advance(&machine, now: 6)
        #expect(machine.phase == .epilog)
        #expect(lifecycle.advance(&machine, now: 7) == [.ended(3)])
        #expect(machine.phase == .done)
        #expect(machine.endTime == 7)
        #expect(try lifecycle.perform(.terminateHard, name: "terminate-hard", on: &machine, now: 8).isEmpty, "DONE: a no-op")
    }

    @Test func terminateFromPendingIsImmediate() throws {
        var machine = vm(.hold)
        #expect(try lifecycle.perform(.terminate, name: "terminate", on: &machine, now: 1) == [.ended(3)])
        #expect(machine.phase == .done)
    }

    @Test func transientStatesRefuseTermination() {
        var machine = vm(.boot)
        #expect(throws: OneFailure(code: .action, message: #"Error performing action "terminate-hard": Could not terminate VM 3, wrong state BOOT."#, objectID: 3)) {
            try lifecycle.perform(.terminateHard, name: "terminate-hard", on: &machine, now: 1)
        }
    }

    @Test func version3Actions() throws {
        let old = VMLifecycle(profile: .v3_8, step: 1, booting: false)
        var pending = vm(.pending)
        #expect(throws: OneFailure(code: .action, message: "Wrong state to perform action", objectID: 3)) {
            try old.perform(.cancel, name: "cancel", on: &pending, now: 1)
        }
        #expect(try old.perform(.finalize, name: "finalize", on: &pending, now: 1) == [.ended(3)])
        var running = vm(.running)
        _ = try old.perform(.cancel, name: "cancel", on: &running, now: 1)
        #expect(running.phase == .cancel)
    }

    @Test func recoverOperations() throws {
        var failed = vm(.bootFailure, fate: .fail)
        _ = try lifecycle.recover(.retry, on: &failed, now: 1)
        #expect(failed.phase == .boot)
        #expect(failed.fate == .normal)
        var stuck = vm(.prolog)
        #expect(try lifecycle.recover(.delete, on: &stuck, now: 1) == [.ended(3)])
        #expect(throws: OneFailure.self) { try lifecycle.recover(.delete, on: &stuck, now: 2) }
        var running = vm(.running)
        #expect(throws: OneFailure.self) { try lifecycle.recover(.success, on: &running, now: 1) }
        #expect(try lifecycle.recover(.deleteDB, on: &running, now: 1) == [.vanished(3)])
    }
}
