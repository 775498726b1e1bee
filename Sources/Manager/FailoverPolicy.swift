/// When and how the manager fails over, switches over and heals; tests shorten it.
public struct FailoverPolicy: Sendable {
    /// Whether a dead master is failed over without being asked.
    public var automatic: Bool
    /// How long the master must have been silent (and confirmed dead) before a failover.
    public var failoverAfter: Duration
    /// No automatic failover for this long after one.
    public var hold: Duration
    /// Whether a failed-over master (and a replica FAILED too long) is replaced by a new replica.
    public var heal: Bool
    /// A replica FAILED for this long is replaced (with `heal`).
    public var replaceAfter: Duration
    /// A switchover's candidate may lag at most this much.
    public var switchoverMaxLag: Duration
    /// Time between two probes of every node.
    public var probeInterval: Duration
    /// How long fencing through the cloud may take to be confirmed.
    public var fenceTimeout: Duration

    public init(
        automatic: Bool = true, failoverAfter: Duration = .seconds(3), hold: Duration = .seconds(300), heal: Bool = true,
        replaceAfter: Duration = .seconds(60), switchoverMaxLag: Duration = .seconds(10), probeInterval: Duration = .seconds(1),
        fenceTimeout: Duration = .seconds(30)
    ) {
        self.automatic = automatic
        self.failoverAfter = failoverAfter
        self.hold = hold
        self.heal = heal
        self.replaceAfter = replaceAfter
        self.switchoverMaxLag = switchoverMaxLag
        self.probeInterval = probeInterval
        self.fenceTimeout = fenceTimeout
    }
}
