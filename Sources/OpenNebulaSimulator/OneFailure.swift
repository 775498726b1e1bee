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
