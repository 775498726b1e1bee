/// Limits and timings of provisioning; tests shorten them.
public struct ProvisioningPolicy: Sendable {
    /// VM creations per node before it is FAILED.
    public var maxAttempts: Int
    /// How long a VM may take to be running.
    public var confirmTimeout: Duration
    /// How long the agent may take to report after its VM runs.
    public var bootstrapTimeout: Duration
    /// How long a replica may wait for its master to be running.
    public var masterWaitTimeout: Duration
    /// Time between two rounds of the worker (and so between two pool queries).
    public var pollInterval: Duration
    /// Without a `register_node` for this long, the worker asks the agent itself.
    public var heartbeatGrace: Duration
    /// Time between two health rounds over running nodes.
    public var healthInterval: Duration
    /// A running node whose agent has not answered for this long is FAILED.
    public var healthTimeout: Duration

    public init(
        maxAttempts: Int = 3, confirmTimeout: Duration = .seconds(300), bootstrapTimeout: Duration = .seconds(180),
        masterWaitTimeout: Duration = .seconds(900), pollInterval: Duration = .milliseconds(500),
        heartbeatGrace: Duration = .seconds(3), healthInterval: Duration = .seconds(5), healthTimeout: Duration = .seconds(20)
    ) {
        self.maxAttempts = maxAttempts
        self.confirmTimeout = confirmTimeout
        self.bootstrapTimeout = bootstrapTimeout
        self.masterWaitTimeout = masterWaitTimeout
        self.pollInterval = pollInterval
        self.heartbeatGrace = heartbeatGrace
        self.healthInterval = healthInterval
        self.healthTimeout = healthTimeout
    }
}
