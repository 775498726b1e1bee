/// How onesim runs: where it listens, which release it imitates, where it
/// keeps its state, and what it injects.
public struct SimulatorConfiguration: Sendable {
    /// The address to listen on (tests: `127.0.0.1`).
    public var address: String
    /// The port (OpenNebula's is 2633; 0 picks a free one).
    public var port: Int
    public var profile: SimulatorProfile
    /// Where the VM pool is kept across restarts.
    public var stateDirectory: String
    public var faults: FaultPlan
    /// Who may call; the first user sees every VM.
    public var users: [SimulatedUser]
    /// The default network's block (network id 0).
    public var leaseRange: LeaseRange
    /// Time between two timed transitions (PENDING → PROLOG → BOOT → RUNNING).
    public var transitionDelay: Duration

    /// The default block for VMs that are data only.
    public static let documentLeaseRange = LeaseRange("10.0.0.0/24")!
    /// The default block for VMs booted on this machine (reachable over loopback).
    public static let loopbackLeaseRange = LeaseRange("127.0.70.0/24")!

    /// A configuration; by default oneadmin:opennebula, no faults, 10.0.0.0/24
    /// and 150 ms between transitions.
    public init(
        address: String = "127.0.0.1", port: Int = 2633, profile: SimulatorProfile, stateDirectory: String,
        faults: FaultPlan = .none, users: [SimulatedUser] = SimulatedUser.defaults,
        leaseRange: LeaseRange = SimulatorConfiguration.documentLeaseRange, transitionDelay: Duration = .milliseconds(150)
    ) {
        self.address = address
        self.port = port
        self.profile = profile
        self.stateDirectory = stateDirectory
        self.faults = faults
        self.users = users
        self.leaseRange = leaseRange
        self.transitionDelay = transitionDelay
    }
}
