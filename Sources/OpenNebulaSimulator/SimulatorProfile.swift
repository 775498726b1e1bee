/// The OpenNebula release onesim imitates: version string, answer shapes,
/// message prefixes, action names and document layout.
public enum SimulatorProfile: String, Sendable, CaseIterable, Codable {
    /// 3.8: answers `[ok, result, code]`, messages prefixed with request class
    /// names, `shutdown`/`cancel`/`finalize`, FAILED state, full pool bodies.
    case v3_8 = "3.8"
    /// 5.12: 5-element failure answers, `[one.x.y]` prefixes, `terminate(-hard)`
    /// with the old names as aliases, short pool bodies, `infoextended`.
    case v5_12 = "5.12"
    /// 6.10: as 5.12 without the old action names; documents valid against `xsd-6.10`.
    case v6_10 = "6.10"
    /// 7.0: as 6.10; documents valid against `xsd-master`.
    case v7_0 = "7.0"

    /// What `one.system.version` answers.
    public var version: String {
        switch self {
        case .v3_8: "3.8.4"
        case .v5_12: "5.12.0"
        case .v6_10: "6.10.0"
        case .v7_0: "7.0.0"
        }
    }

    /// 5.10+ has `one.vmpool.infoextended`, and plain `info` answers short bodies.
    var hasExtendedPoolInfo: Bool { self != .v3_8 }

    /// 6.x+ documents hold SCHED_ACTIONS and BACKUPS (and validate against the XSDs).
    var hasBackups: Bool { self == .v6_10 || self == .v7_0 }

    /// `one.vm.recover` takes an operation number (4.x+) rather than a success flag.
    var recoverTakesOperation: Bool { self != .v3_8 }

    /// The bracketed prefix of failure messages: the method name from 5.4 on,
    /// the request class name before.
    func messagePrefix(method: String) -> String {
        guard self == .v3_8 else { return "[\(method)]" }
        let classNames = [
            "one.system.version": "SystemVersion", "one.vm.allocate": "VirtualMachineAllocate",
            "one.vm.info": "VirtualMachineInfo", "one.vm.action": "VirtualMachineAction",
            "one.vmpool.info": "VirtualMachinePoolInfo", "one.vm.recover": "VirtualMachineRecover",
        ]
        return "[\(classNames[method] ?? method)]"
    }

    /// The answer array of a failed call: `[false, message, code]`, plus
    /// `resp_id` and an `<i8>` -1 on 5.10+.
    func failureAnswer(method: String, _ failure: OneFailure) -> RPCValue {
        var elements: [RPCValue] = [.bool(false), .string("\(messagePrefix(method: method)) \(failure.message)"), .int(failure.code.rawValue)]
        if self != .v3_8 { elements += [.int(failure.objectID), .int64(-1)] }
        return .array(elements)
    }

    /// The answer array of a successful call: `[true, result, 0]`.
    func successAnswer(_ result: RPCValue) -> RPCValue {
        .array([.bool(true), result, .int(0)])
    }

    /// The action `name` stands for in this version, nil when not supported.
    func action(named name: String) -> VMAction? {
        switch (self, name) {
        case (.v3_8, "shutdown"): .shutdown
        case (.v3_8, "cancel"): .cancel
        case (.v3_8, "finalize"): .finalize
        case (.v3_8, _): VMAction.holdAndRelease[name]
        case (_, "terminate"): .terminate
        case (_, "terminate-hard"): .terminateHard
        case (.v5_12, "shutdown"): .terminate
        case (.v5_12, "shutdown-hard"): .terminateHard
        default: VMAction.holdAndRelease[name]
        }
    }
}

/// The `one.vm.action` actions onesim implements.
enum VMAction: String, Sendable {
    /// 3.x graceful shutdown of a RUNNING VM.
    case shutdown
    /// 3.x hard shutdown of a RUNNING VM.
    case cancel
    /// 3.x removal in any state but DONE.
    case finalize
    /// 5.x+ graceful end (RUNNING, or PENDING/HOLD at once).
    case terminate
    /// 5.x+ hard end (also from failure states).
    case terminateHard = "terminate-hard"
    /// PENDING → HOLD.
    case hold
    /// HOLD → PENDING.
    case release

    static let holdAndRelease: [String: VMAction] = ["hold": .hold, "release": .release]
}

/// OpenNebula's error codes, sent as the third element of a failure answer.
enum OneErrorCode: Int, Sendable {
    case authentication = 0x100
    case authorization = 0x200
    case noExists = 0x400
    case action = 0x800
    case xmlRPCAPI = 0x1000
    case `internal` = 0x2000
    case allocate = 0x4000
    case locked = 0x8000
}

/// A failed `one.*` call, before the profile adds the `[method]` prefix and
/// shapes the answer array.
struct OneFailure: Error, Sendable, Equatable {
    let code: OneErrorCode
    /// The message after the prefix.
    let message: String
    /// `resp_id` in 5.4+ answers: the object concerned, -1 when none.
    var objectID: Int = -1

    /// A bad session.
    static let authentication = OneFailure(code: .authentication, message: "User couldn't be authenticated, aborting call.")

    /// No VM `id`.
    static func noSuchVM(_ id: Int) -> OneFailure {
        OneFailure(code: .noExists, message: "Error getting virtual machine [\(id)].", objectID: id)
    }

    /// A refused allocation, with OpenNebula's reason.
    static func allocation(_ reason: String) -> OneFailure {
        OneFailure(code: .allocate, message: "Error allocating a new virtual machine. \(reason)")
    }

    /// A template that does not parse (reported as INTERNAL).
    static func parse(_ reason: String) -> OneFailure {
        OneFailure(code: .internal, message: "Parse error: \(reason)")
    }

    /// An action (`requested` as the client named it, `verb` in the reason)
    /// the VM's state does not allow.
    static func wrongState(requested: String, verb: String, id: Int, state: String, profile: SimulatorProfile) -> OneFailure {
        if profile == .v3_8 {
            return OneFailure(code: .action, message: "Wrong state to perform action", objectID: id)
        }
        let reason = "Could not \(verb) VM \(id), wrong state \(state)."
        return OneFailure(code: .action, message: "Error performing action \"\(requested)\": \(reason)", objectID: id)
    }

    /// An action name the version does not know.
    static func unsupportedAction(_ name: String, id: Int) -> OneFailure {
        OneFailure(code: .action, message: "Action \"\(name)\" is not supported", objectID: id)
    }
}
