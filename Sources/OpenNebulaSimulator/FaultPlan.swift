/// Failures onesim injects, from `--faults SPEC`.
///
/// SPEC is a comma-separated list of rules, each `KIND:RATE` (a share of
/// the calls or VMs, 0 to 1) or `KIND@ID` (the VM with that id); `slow`
/// takes a delay in milliseconds after another colon:
///
/// - `allocate` — `one.vm.allocate` fails with ALLOCATE (`allocate@ID`: the
///   allocation that would create VM ID, once);
/// - `fail` — the VM's boot fails: ACTIVE/BOOT_FAILURE (FAILED on 3.8);
/// - `vanish` — the VM disappears from the pool one step after RUNNING;
/// - `stuck` — the VM never powers off: a terminate leaves it in SHUTDOWN;
/// - `slow` — answers are delayed (`slow@ID:MS`: calls about VM ID);
/// - `auth` — calls are refused with AUTHENTICATION (rate only).
///
/// Example: `allocate:0.1,fail@3,vanish:0.05,slow:1:2500,auth:0.2`.
public struct FaultPlan: Sendable, Hashable {
    /// What a rule injects.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// See the type's documentation.
        case allocate, fail, vanish, stuck, slow, auth
    }

    /// Which calls or VMs a rule hits.
    public enum Target: Sendable, Hashable {
        /// This share of them, at random.
        case rate(Double)
        /// The VM with this id.
        case vm(Int)
    }

    /// One rule of the SPEC.
    public struct Rule: Sendable, Hashable {
        /// What the rule injects.
        public let kind: Kind
        /// Which calls or VMs it hits.
        public let target: Target
        /// For `slow`: how long answers wait.
        public let delay: Duration?
    }

    /// The rules, in SPEC order; the first that hits wins.
    public let rules: [Rule]

    /// No failures.
    public static let none = FaultPlan(rules: [])

    private init(rules: [Rule]) {
        self.rules = rules
    }

    /// Parses a SPEC (see the type's documentation); an empty SPEC injects nothing.
    public init(parsing spec: String) throws(FaultSpecError) {
        var rules: [Rule] = []
        for item in spec.split(separator: ",").map({ $0.trimmingPrefix(while: \.isWhitespace) }) where !item.isEmpty {
            let byVM = item.contains("@")
            let parts = item.split(separator: byVM ? "@" : ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let kind = Kind(rawValue: parts[0]) else {
                throw FaultSpecError(item: String(item), reason: "expected KIND:RATE or KIND@ID with KIND one of \(Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let arguments = parts[1].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard arguments.count == (kind == .slow ? 2 : 1) else {
                throw FaultSpecError(item: String(item), reason: kind == .slow ? "slow needs a delay: slow:RATE:MS or slow@ID:MS" : "too many fields")
            }
            let target: Target
            if byVM {
                guard kind != .auth, let id = Int(arguments[0]), id >= 0 else {
                    throw FaultSpecError(item: String(item), reason: kind == .auth ? "auth takes a rate only" : "not a VM id")
                }
                target = .vm(id)
            } else {
                guard let rate = Double(arguments[0]), (0...1).contains(rate) else {
                    throw FaultSpecError(item: String(item), reason: "a rate is a number from 0 to 1")
                }
                target = .rate(rate)
            }
            var delay: Duration?
            if kind == .slow {
                guard let milliseconds = Int(arguments[1]), milliseconds >= 0 else {
                    throw FaultSpecError(item: String(item), reason: "not a delay in milliseconds")
                }
                delay = .milliseconds(milliseconds)
            }
            rules.append(Rule(kind: kind, target: target, delay: delay))
        }
        self.rules = rules
    }

    /// The first rule of `kind` that hits VM `vmID` (when known) or wins its draw.
    func firstHit(_ kind: Kind, vmID: Int?) -> Rule? {
        rules.first { rule in
            guard rule.kind == kind else { return false }
            switch rule.target {
            case .rate(let rate): return rate > 0 && Double.random(in: 0..<1) < rate
            case .vm(let id): return id == vmID
            }
        }
    }
}

/// A `--faults` SPEC onesim cannot read.
public struct FaultSpecError: Error, Sendable, CustomStringConvertible {
    /// The rule that could not be read.
    public let item: String
    /// Why.
    public let reason: String

    /// The rule and the reason.
    public var description: String { "--faults: \"\(item)\": \(reason)" }
}
