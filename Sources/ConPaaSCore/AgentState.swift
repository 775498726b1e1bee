/// The lifecycle of the MariaDB server an agent runs (PROTOCOL.md "Agent states").
public enum AgentState: String, Sendable, Codable, CaseIterable {
    /// The agent started and has not yet started its server.
    case initializing = "INIT"
    /// mariadbd is being started (or restarted after a crash).
    case starting = "STARTING"
    /// mariadbd is up and answering.
    case running = "RUNNING"
    /// mariadbd is being stopped.
    case stopping = "STOPPING"
    /// mariadbd is not running, on request.
    case stopped = "STOPPED"
    /// A restore's new master before its first data: no data directory and no mariadbd
    /// until `restore_backup` installs the backup (the context's `AGENT_RESTORE=yes`).
    case awaitingRestore = "AWAITING_RESTORE"
}

/// The replication role of a node.
public enum NodeRole: String, Sendable, Codable, CaseIterable {
    /// Not configured yet: no replication either way.
    case none
    /// Accepts writes; replicas follow it.
    case master
    /// A read-only replica of a master.
    case slave
}
