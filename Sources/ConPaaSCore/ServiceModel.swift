/// The lifecycle of a service (ARCHITECTURE.md "Service states").
public enum ServiceState: String, Sendable, Codable, CaseIterable {
    /// Created, no node yet.
    case initial = "INIT"
    /// The first nodes are being provisioned.
    case prologue = "PROLOGUE"
    /// Serving, nothing changing.
    case running = "RUNNING"
    /// Nodes are being added or removed while serving.
    case adapting = "ADAPTING"
    /// Shutting down: every VM is being destroyed.
    case epilogue = "EPILOGUE"
    /// Shut down; nothing runs.
    case stopped = "STOPPED"
    /// Something failed that needs an operator.
    case error = "ERROR"
}

/// The lifecycle of one node (ARCHITECTURE.md "Node states").
public enum NodeState: String, Sendable, Codable, CaseIterable {
    /// Recorded; its VM is not created yet.
    case pending = "PENDING"
    /// The VM exists and is booting; the agent has not answered yet.
    case booting = "BOOTING"
    /// The agent answered; MariaDB is being set up as master or replica.
    case configuring = "CONFIGURING"
    /// Serving as master or replicating replica.
    case running = "RUNNING"
    /// Failed; `reason` says why.
    case failed = "FAILED"
    /// Its VM is being destroyed.
    case removing = "REMOVING"
    /// Its VM is gone.
    case terminated = "TERMINATED"

    /// Whether the node still counts as part of the service.
    public var isLive: Bool { self != .terminated }
}
