@testable import Agent
import Testing

/// The wake-ups the supervisor's waiters (the manager reporter, `waitUntilRunning`) rely on instead of polling.
/// Deadlines far away: a waiter that is not woken makes the test hit its time limit.
@Suite("ChangeNotifier", .timeLimit(.minutes(1)))
struct ChangeNotifierTests {
    private static var farAway: ContinuousClock.Instant { .now + .seconds(3600) }

    @Test("a notification wakes every waiter")
    func wakesWaiters() async {
        let notifier = ChangeNotifier()
        let seen = notifier.generation
        let woken = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await notifier.wait(after: seen, until: Self.farAway)
                    return 1
                }
            }
            try? await Task.sleep(for: .milliseconds(100))  // most likely waiting by now; if not, they return at once
            notifier.notify()
            return await group.reduce(0, +)
        }
        #expect(woken == 3)
        #expect(notifier.generation == 1)
    }

    @Test("a change between reading the generation and waiting is not missed")
    func noLostChange() async {
        let notifier = ChangeNotifier()
        let seen = notifier.generation
        notifier.notify()
        await notifier.wait(after: seen, until: Self.farAway)
    }

    @Test("without a change a waiter returns at its deadline")
    func deadline() async {
        let notifier = ChangeNotifier()
        let deadline = ContinuousClock.now + .milliseconds(50)
        await notifier.wait(after: notifier.generation, until: deadline)
        #expect(ContinuousClock.now >= deadline)
    }

    @Test("a cancelled waiter returns, with no deadline")
    func cancellation() async {
        let notifier = ChangeNotifier()
        let waiter = Task { await notifier.wait(after: notifier.generation) }  // no deadline: only a change or the cancel ends it
        try? await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await waiter.value
        #expect(notifier.generation == 0)
    }
}
