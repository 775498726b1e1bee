/// A failure the test support itself reports; ``eventually(_:timeout:_:)`` stops at once on it.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Polls `condition` every 100 ms until it holds, or throws after `timeout`.
/// Other errors count as "not yet"; a thrown ``TestFailure`` ends the wait at once.
public func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch let failure as TestFailure {
            throw failure
        } catch {}
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TestFailure("\(what): not true within \(timeout)")
}
