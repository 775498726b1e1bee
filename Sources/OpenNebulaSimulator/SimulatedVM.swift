/// A STATE / LCM_STATE pair.
struct VMPhase: Sendable, Hashable, Codable {
    let state: Int
    let lcmState: Int

    static let pending = VMPhase(state: 1, lcmState: 0)
    static let hold = VMPhase(state: 2, lcmState: 0)
    static let prolog = VMPhase(state: 3, lcmState: 1)
    static let boot = VMPhase(state: 3, lcmState: 2)
    static let running = VMPhase(state: 3, lcmState: 3)
    static let epilog = VMPhase(state: 3, lcmState: 11)
    static let shutdown = VMPhase(state: 3, lcmState: 12)
    static let cancel = VMPhase(state: 3, lcmState: 13)
    static let done = VMPhase(state: 6, lcmState: 0)
    /// 3.x: a VM whose deployment or boot failed.
    static let failed = VMPhase(state: 7, lcmState: 0)
    static let bootFailure = VMPhase(state: 3, lcmState: 36)
    static let prologFailure = VMPhase(state: 3, lcmState: 39)
    static let epilogFailure = VMPhase(state: 3, lcmState: 40)

    /// The name OpenNebula prints in "wrong state" messages: the LCM state's
    /// name for ACTIVE VMs, the state's otherwise.
    var name: String {
        let names: [VMPhase: String] = [
            .pending: "PENDING", .hold: "HOLD", .prolog: "PROLOG", .boot: "BOOT", .running: "RUNNING",
            .epilog: "EPILOG", .shutdown: "SHUTDOWN", .cancel: "CANCEL", .done: "DONE", .failed: "FAILED",
            .bootFailure: "BOOT_FAILURE", .prologFailure: "PROLOG_FAILURE", .epilogFailure: "EPILOG_FAILURE",
        ]
        return names[self] ?? "STATE \(state)/\(lcmState)"
    }

    /// PROLOG, BOOT, SHUTDOWN, CANCEL, EPILOG: a driver operation is under way.
    var isTransient: Bool { [.prolog, .boot, .shutdown, .cancel, .epilog].contains(self) }

    /// BOOT_FAILURE, PROLOG_FAILURE, EPILOG_FAILURE or 3.x FAILED.
    var isFailure: Bool { [.bootFailure, .prologFailure, .epilogFailure, .failed].contains(self) }
}

/// How a VM's life is meant to go, chosen by `--faults` at allocate time.
enum VMFate: String, Sendable, Codable {
    case normal
    /// The boot fails (BOOT_FAILURE, or FAILED on 3.x).
    case fail
    /// The VM disappears from the pool once RUNNING.
    case vanish
    /// The VM never powers off: SHUTDOWN and CANCEL never end.
    case stuck
}

/// Where a `--boot local` boot stands.
enum BootProgress: Sendable, Hashable, Codable {
    case notRequested
    case requested
    case succeeded
    case failed(String)
}

/// A VM as onesim keeps (and persists) it.
struct SimulatedVM: Sendable, Codable {
    let id: Int
    let uid: Int
    let uname: String
    var name: String
    var phase: VMPhase
    var previousPhase: VMPhase
    /// STIME and ETIME, seconds since 1970.
    let startTime: Int
    var endTime = 0
    var deployID = ""
    /// TEMPLATE attributes (NIC leases and CONTEXT substitutions done).
    var template: [TemplateAttribute]
    var userTemplate: [TemplateAttribute]
    /// When the host record started, once deployed.
    var historyStart: Int?
    /// When the current phase began (seconds since 1970, fractional).
    var phaseStarted: Double
    var fate: VMFate
    var boot = BootProgress.notRequested

    /// Moves to `phase` at `time`.
    mutating func enter(_ phase: VMPhase, at time: Double) {
        previousPhase = self.phase
        self.phase = phase
        phaseStarted = time
        if phase == .prolog, historyStart == nil { historyStart = Int(time) }
        if phase == .boot { deployID = "one-\(id)" }
        if phase == .done { endTime = Int(time) }
    }

    /// The IP of every NIC, in order.
    var addresses: [String] {
        template.compactMap { attribute in
            if case .vector("NIC", let values) = attribute { return values["IP"] }
            return nil
        }
    }

    /// The CONTEXT variables (empty when the template has none).
    var context: [String: String] {
        for case .vector("CONTEXT", let values) in template { return values }
        return [:]
    }
}
