import Foundation
import Logging

/// Work for the booter, collected by the simulator and run by ``SimulatorClock``.
enum BooterJob: Sendable, Equatable {
    case boot(id: Int, name: String, address: String, context: [String: String])
    case destroy(id: Int)
}

/// onesim's OpenNebula: the VM pool, the default network's leases, the users,
/// the injected faults, and a count of every call received.
public actor OneSimulator {
    /// How the simulator was configured.
    public nonisolated let configuration: SimulatorConfiguration
    let booter: (any SimulatedVMBooter)?
    let lifecycle: VMLifecycle
    let documents: VMDocumentWriter
    let store: SimulatorStateStore
    let logger: Logger
    var vms: [Int: SimulatedVM] = [:]
    var nextID = 0
    var leases: LeasePool
    var calls: [String: Int] = [:]
    /// `allocate@ID` rules fire once.
    var firedAllocationFaults: Set<Int> = []
    var jobs: [BooterJob] = []
    var unsaved = false

    /// Loads the pool kept in the state directory, if any.
    public init(configuration: SimulatorConfiguration, booter: (any SimulatedVMBooter)? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.booter = booter
        self.logger = logger
        let seconds = configuration.transitionDelay.components
        let step = Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18
        lifecycle = VMLifecycle(profile: configuration.profile, step: step, booting: booter != nil)
        documents = VMDocumentWriter(profile: configuration.profile)
        store = try SimulatorStateStore(directory: configuration.stateDirectory)
        leases = LeasePool(range: configuration.leaseRange)
        if let saved = try store.load() {
            nextID = saved.nextID
            for vm in saved.vms {
                vms[vm.id] = vm
                if vm.phase != .done { for address in vm.addresses { _ = try? leases.lease(address) } }
            }
        }
    }

    /// How many calls of `method` arrived (faults and refusals included).
    public func callCount(_ method: String) -> Int {
        calls[method, default: 0]
    }

    /// Every call received so far, by method name.
    public func callCounts() -> [String: Int] {
        calls
    }

    /// The current time, as VM timestamps use it.
    nonisolated func now() -> Double {
        Date().timeIntervalSince1970
    }

    /// Applies every timed transition due by `now`.
    func advanceAll(now: Double) {
        var events: [LifecycleEvent] = []
        for id in vms.keys.sorted() {
            guard var vm = vms[id] else { continue }
            let before = (vm.phase, vm.boot)
            events += lifecycle.advance(&vm, now: now)
            vms[id] = vm
            if before != (vm.phase, vm.boot) { unsaved = true }
        }
        handle(events)
    }

    /// Releases leases, drops vanished VMs and queues the booter's work.
    func handle(_ events: [LifecycleEvent]) {
        for event in events {
            switch event {
            case .bootRequested(let id):
                guard let vm = vms[id] else { continue }
                jobs.append(.boot(id: id, name: vm.name, address: vm.addresses.first ?? "", context: vm.context))
            case .ended(let id):
                vms[id]?.addresses.forEach { leases.release($0) }
                if booter != nil { jobs.append(.destroy(id: id)) }
            case .stopped(let id):
                if booter != nil { jobs.append(.destroy(id: id)) }
            case .vanished(let id):
                if let vm = vms.removeValue(forKey: id), vm.phase != .done { vm.addresses.forEach { leases.release($0) } }
                if booter != nil { jobs.append(.destroy(id: id)) }
                logger.info("VM vanished", metadata: ["vm.id": "\(id)"])
            }
            unsaved = true
        }
    }

    /// Advances the pool to now and hands over the booter's queued work.
    func takeJobs() -> [BooterJob] {
        advanceAll(now: now())
        defer { jobs = [] }
        return jobs
    }

    /// Records the outcome of a boot (nil: it succeeded).
    func bootFinished(id: Int, failure: String?) {
        guard var vm = vms[id], vm.boot == .requested else { return }
        vm.boot = failure.map(BootProgress.failed) ?? .succeeded
        vms[id] = vm
        unsaved = true
        advanceAll(now: now())
    }

    /// Writes the pool if it changed since the last save.
    func saveIfNeeded() {
        guard unsaved else { return }
        save()
    }

    func save() {
        do {
            try store.save(PersistedPool(nextID: nextID, vms: vms.values.sorted { $0.id < $1.id }))
            unsaved = false
        } catch {
            logger.error("cannot save the VM pool", metadata: ["error": "\(error)"])
        }
    }
}

/// What onesim keeps in its state directory.
struct PersistedPool: Codable, Sendable {
    /// The id the next VM gets (ids are never reused).
    var nextID: Int
    var vms: [SimulatedVM]
}

/// Reads and writes `onesim-state.json` in the state directory (written to a
/// temporary file, then renamed).
struct SimulatorStateStore: Sendable {
    let file: URL

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        file = URL(fileURLWithPath: directory).appendingPathComponent("onesim-state.json")
    }

    /// The saved pool, or nil when none was saved yet.
    func load() throws -> PersistedPool? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try JSONDecoder().decode(PersistedPool.self, from: Data(contentsOf: file))
    }

    func save(_ pool: PersistedPool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(pool).write(to: file, options: .atomic)
    }
}
