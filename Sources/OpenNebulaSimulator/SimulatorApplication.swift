import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Builds onesim's server for `simulator`: the XML-RPC endpoint `/RPC2` on
/// the configured address and port, and the clock that moves VMs through their
/// states. Run the result with `runService()`; `onServerRunning` receives the
/// listening channel (its local address tells the port when 0 was asked).
public func buildSimulatorApplication(
    simulator: OneSimulator, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = simulator.configuration
    let tick = min(configuration.transitionDelay / 4, .milliseconds(50))
    let clock = SimulatorClock(simulator: simulator, booter: simulator.booter, interval: max(tick, .milliseconds(5)), logger: logger)
    return Application(
        responder: XMLRPCResponder(simulator: simulator),
        configuration: .init(
            address: .hostname(configuration.address, port: configuration.port),
            serverName: "XMLRPC_ABYSS/1.51.0"),
        services: [clock],
        onServerRunning: onServerRunning,
        logger: logger)
}

/// How onesim runs: where it listens, which release it imitates, where it
/// keeps its state, and what it injects.
public struct SimulatorConfiguration: Sendable {
    /// The address to listen on (tests: `127.0.0.1`).
    public var address: String
    /// The port (OpenNebula's is 2633; 0 picks a free one).
    public var port: Int
    /// The release imitated.
    public var profile: SimulatorProfile
    /// Where the VM pool is kept across restarts.
    public var stateDirectory: String
    /// The failures injected.
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

/// Drives time in onesim: applies the timed state transitions, runs the
/// booter's work (boots concurrently, in a task group this service owns) and
/// saves the pool, every `interval`; saves once more when the service group shuts down.
struct SimulatorClock: Service {
    let simulator: OneSimulator
    let booter: (any SimulatedVMBooter)?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    for job in await simulator.takeJobs() {
                        group.addTask { await perform(job) }
                    }
                    await simulator.saveIfNeeded()
                    try? await Task.sleep(for: interval)
                }
            }
        }
        await simulator.saveIfNeeded()
    }

    private func perform(_ job: BooterJob) async {
        guard let booter else { return }
        switch job {
        case .boot(let id, let name, let address, let context):
            do {
                try await booter.boot(id: id, name: name, address: address, context: context)
                await simulator.bootFinished(id: id, failure: nil)
            } catch {
                logger.warning("boot failed", metadata: ["vm.id": "\(id)", "error": "\(error)"])
                await simulator.bootFinished(id: id, failure: "\(error)")
            }
        case .destroy(let id):
            await booter.destroy(id: id)
        }
    }
}

/// An OpenNebula user onesim accepts sessions from.
public struct SimulatedUser: Sendable, Hashable {
    /// The user's id (UID in VM documents).
    public let id: Int
    /// The user's name (UNAME).
    public let name: String
    /// The password sessions must carry.
    public let password: String

    /// A user; ids follow the order of the users file.
    public init(id: Int, name: String, password: String) {
        self.id = id
        self.name = name
        self.password = password
    }

    /// The default: `oneadmin:opennebula`, id 0.
    public static let defaults = [SimulatedUser(id: 0, name: "oneadmin", password: "opennebula")]

    /// A users file: one `name:password` per line (the password may hold
    /// colons); blank lines and lines starting with `#` are skipped. The first
    /// user gets id 0 and sees every VM, like oneadmin.
    public static func parse(_ text: String) throws(UsersFileError) -> [SimulatedUser] {
        var users: [SimulatedUser] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let entry = line.trimmingPrefix(while: \.isWhitespace)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                throw UsersFileError(line: number + 1, reason: "expected name:password")
            }
            let name = String(entry[..<colon])
            guard !users.contains(where: { $0.name == name }) else {
                throw UsersFileError(line: number + 1, reason: "user \(name) given twice")
            }
            users.append(SimulatedUser(id: users.count, name: name, password: String(entry[entry.index(after: colon)...])))
        }
        guard !users.isEmpty else { throw UsersFileError(line: 0, reason: "no users") }
        return users
    }

    /// The user a `name:password` session belongs to, if the password matches.
    static func authenticate(_ session: String, among users: [SimulatedUser]) -> SimulatedUser? {
        guard let colon = session.firstIndex(of: ":") else { return nil }
        let name = session[..<colon]
        let password = session[session.index(after: colon)...]
        return users.first { $0.name == name && $0.password == password }
    }
}

/// A users file onesim cannot read.
public struct UsersFileError: Error, Sendable, CustomStringConvertible {
    /// The line concerned (0: the whole file).
    public let line: Int
    /// What is wrong with it.
    public let reason: String

    /// The line and the reason.
    public var description: String { "users file, line \(line): \(reason)" }
}
