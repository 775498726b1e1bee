import Synchronization

/// Wakes the tasks waiting for the next change of some state, so that they need
/// not poll it. A waiter reads ``generation`` before it looks at the state, then
/// waits ``wait(after:until:)`` on that generation: a change made in between
/// has already moved the generation on, so it is never missed.
final class ChangeNotifier: Sendable {
    private struct Waiters {
        var generation: UInt64 = 0
        var lastID = 0
        var continuations: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let waiters = Mutex(Waiters())

    /// How many changes were announced so far.
    var generation: UInt64 { waiters.withLock { $0.generation } }

    /// Announces a change: every waiter returns.
    func notify() {
        let woken = waiters.withLock { waiters in
            waiters.generation += 1
            defer { waiters.continuations = [:] }
            return Array(waiters.continuations.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once a change after `seen` is announced, at `deadline` (if any), or when the task is cancelled.
    func wait(after seen: UInt64, until deadline: ContinuousClock.Instant? = nil) async {
        guard let deadline else { return await waitForChange(after: seen) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForChange(after: seen) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForChange(after seen: UInt64) async {
        let id = waiters.withLock { waiters in
            waiters.lastID += 1
            return waiters.lastID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = waiters.withLock { waiters in
                    guard waiters.generation == seen, !Task.isCancelled else { return true }
                    waiters.continuations[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            waiters.withLock { $0.continuations.removeValue(forKey: id) }?.resume()
        }
    }
}
