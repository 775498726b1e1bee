import Synchronization

/// The nodes some work is under way for, so that a node gets one at a time.
final class NodeClaims: Sendable {
    private let claimed = Mutex<Set<String>>([])

    /// Claims `node`; false when it is claimed already.
    func claim(_ node: String) -> Bool { claimed.withLock { $0.insert(node).inserted } }

    func release(_ node: String) { claimed.withLock { _ = $0.remove(node) } }
}

/// The last of a repeated message, so that it is logged when it changes.
final class LastMessage: Sendable {
    private let last = Mutex<String?>(nil)

    /// Records `message`; true when it differs from the last one.
    func changed(to message: String?) -> Bool { last.withLock { last in defer { last = message }; return last != message } }
}
