/// An OpenNebula release, as `one.system.version` reports it, and what the
/// driver does differently for it.
public struct OpenNebulaVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// One way of getting rid of a VM.
    public enum DestroyStep: Sendable, Hashable {
        /// `one.vm.action` with this action name.
        case action(String)
        /// `one.vm.recover` with operation 3 (delete), 5.x+.
        case recoverDelete
    }

    public let major: Int
    public let minor: Int

    /// A version from its parts.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `"6.10.0"`, `"5.12.0.4"` or `"3.8.4"`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.trimmingPrefix(while: { $0 == " " }).split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix(while: \.isNumber)) else {
            return nil
        }
        self.init(major: major, minor: minor)
    }

    /// What to assume when `one.system.version` does not exist (before 3.8).
    public static let withoutVersionMethod = OpenNebulaVersion(major: 3, minor: 0)

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// `one.vm.allocate` takes the "hold" flag from 4.0 on.
    public var allocateTakesHoldFlag: Bool { major >= 4 }

    /// The steps `destroyVM` tries in order until one is accepted: the hard
    /// stop that works on a running VM first, then the one that works in any
    /// other state.
    ///
    /// 3.x: `cancel`, then `finalize`; 4.x: `shutdown-hard`, then `delete`;
    /// 5.x+: `terminate-hard` (valid from PENDING, HOLD, RUNNING, POWEROFF and the
    /// failure states), then `one.vm.recover` delete for the transient states.
    public var destroySteps: [DestroyStep] {
        switch major {
        case ..<4: [.action("cancel"), .action("finalize")]
        case 4: [.action("shutdown-hard"), .action("delete")]
        default: [.action("terminate-hard"), .recoverDelete]
        }
    }
}
