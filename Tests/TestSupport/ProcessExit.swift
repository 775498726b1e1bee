import Foundation

extension Process {
    /// Starts the process and waits for it to exit without blocking a thread;
    /// answers its exit status. (`waitUntilExit()` blocks one of the few threads
    /// of Swift's cooperative pool, and on a loaded machine stalls other tests.)
    public func runUntilExit() async throws -> Int32 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try run()
            } catch {
                terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
    }

    /// Waits for a process already started to exit, polling without blocking a thread.
    public func waitForExit() async {
        while isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
