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

/// Waits for the child `pid` to exit, reaping it with `waitpid` (Foundation's own
/// SIGCHLD watch was seen to miss an exit, leaving a zombie `isRunning` forever).
public func waitForExit(of pid: pid_t) async {
    while true {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid || (reaped < 0 && errno == ECHILD) { return }
        try? await Task.sleep(for: .milliseconds(20))
    }
}
