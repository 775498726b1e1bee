@testable import Agent
import Testing

@Suite("mariadbd supervisor decisions")
struct SupervisorStateMachineTests {
    @Test("Start, ready, crash, back-off, restart")
    func crashAndRestart() {
        var machine = SupervisorStateMachine()
        #expect(machine.agentState == .initializing)
        #expect(machine.startRequested() == .spawn)
        #expect(machine.agentState == .starting)
        #expect(machine.becameReady() == .none)
        #expect(machine.agentState == .running)
        #expect(machine.processEnded() == .scheduleRestart(after: .milliseconds(500)))
        #expect(machine.crashes == 1)
        #expect(machine.agentState == .starting)
        #expect(machine.backoffElapsed() == .spawn)
        #expect(machine.processEnded() == .scheduleRestart(after: .seconds(1)))
        #expect(machine.backoffElapsed() == .spawn)
        #expect(machine.becameReady() == .none)
        #expect(machine.consecutiveFailures == 0)
        #expect(machine.crashes == 2)
    }

    @Test("Back-off doubles up to 10 seconds")
    func backoff() {
        #expect(SupervisorStateMachine.backoff(afterFailures: 1) == .milliseconds(500))
        #expect(SupervisorStateMachine.backoff(afterFailures: 3) == .seconds(2))
        #expect(SupervisorStateMachine.backoff(afterFailures: 6) == .seconds(10))
        #expect(SupervisorStateMachine.backoff(afterFailures: 60) == .seconds(10))
    }

    @Test("A requested stop is not a crash; restart goes through stopping")
    func stopAndRestart() {
        var machine = SupervisorStateMachine()
        _ = machine.startRequested()
        _ = machine.becameReady()
        #expect(machine.stopRequested() == .terminate)
        #expect(machine.agentState == .stopping)
        #expect(machine.processEnded() == .none)
        #expect(machine.agentState == .stopped)
        #expect(machine.crashes == 0)
        #expect(machine.restartRequested() == .spawn)
        _ = machine.becameReady()
        #expect(machine.restartRequested() == .terminate)
        #expect(machine.processEnded() == .spawn)
        #expect(machine.crashes == 0)
    }

    @Test("Stop during back-off cancels the restart; shutdown ends everything")
    func stopDuringBackoffAndShutdown() {
        var machine = SupervisorStateMachine()
        _ = machine.startRequested()
        _ = machine.processEnded()
        #expect(machine.stopRequested() == .none)
        #expect(machine.backoffElapsed() == .none)
        #expect(machine.agentState == .stopped)
        #expect(machine.shutdownRequested() == .finish)

        var running = SupervisorStateMachine()
        _ = running.startRequested()
        _ = running.becameReady()
        #expect(running.shutdownRequested() == .terminate)
        #expect(running.startRequested() == .none)
        #expect(running.processEnded() == .finish)
    }
}
