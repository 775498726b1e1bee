import NIOPosix

/// The `one.*` calls the driver uses, over xmlrpc-c.
///
/// Each call sends the session string first and decodes the answer array in
/// ``OpenNebulaEnvelope``; every failure is an ``OpenNebulaError``.
public struct OpenNebulaClient: Sendable {
    private let transport: XMLRPCTransport
    private let session: String

    /// A client for `endpoint` (`http://HOST:2633/RPC2`) acting as `user`.
    public init(endpoint: String, user: String, password: String, timeout: Duration, threadPool: NIOThreadPool = .singleton) {
        transport = XMLRPCTransport(endpoint: endpoint, timeout: timeout, threadPool: threadPool)
        session = "\(user):\(password)"
    }

    /// Calls `method` with the session and `params`; answers the result of a successful call.
    public func call(_ method: String, _ params: [XMLRPCValue]) async throws(OpenNebulaError) -> XMLRPCValue {
        let answer = try await transport.call(method, [.string(session)] + params)
        return try OpenNebulaEnvelope.decode(answer, method: method)
    }

    /// `one.system.version`: `"6.10.0"` etc. A fault -506 means the method does
    /// not exist (before 3.8).
    public func systemVersion() async throws(OpenNebulaError) -> String {
        try OpenNebulaEnvelope.string(try await call("one.system.version", []), method: "one.system.version")
    }

    /// `one.vm.allocate`: the new VM's id. `hold` is sent only when not nil (4.0+).
    public func allocateVM(template: String, hold: Bool?) async throws(OpenNebulaError) -> Int {
        let params: [XMLRPCValue] = [.string(template)] + (hold.map { [.bool($0)] } ?? [])
        return try OpenNebulaEnvelope.int(try await call("one.vm.allocate", params), method: "one.vm.allocate")
    }

    /// `one.vm.info`: the VM document.
    public func vmInfo(id: Int) async throws(OpenNebulaError) -> String {
        try OpenNebulaEnvelope.string(try await call("one.vm.info", [.int(id)]), method: "one.vm.info")
    }

    /// `one.vmpool.info`: the VM_POOL document. `filter` -3 mine, -2 all, -1
    /// mine and my groups; `start`/`end` -1 unbounded; `state` -1 all but DONE, -2 all.
    public func vmPoolInfo(filter: Int, start: Int = -1, end: Int = -1, state: Int) async throws(OpenNebulaError) -> String {
        let params: [XMLRPCValue] = [.int(filter), .int(start), .int(end), .int(state)]
        return try OpenNebulaEnvelope.string(try await call("one.vmpool.info", params), method: "one.vmpool.info")
    }

    /// `one.vm.action`: performs `action` (`terminate-hard`, `cancel`...) on VM `id`.
    public func vmAction(_ action: String, id: Int) async throws(OpenNebulaError) {
        _ = try await call("one.vm.action", [.string(action), .int(id)])
    }

    /// `one.vm.recover`: operation 0 failure, 1 success, 2 retry, 3 delete (5.x+).
    public func vmRecover(id: Int, operation: Int) async throws(OpenNebulaError) {
        _ = try await call("one.vm.recover", [.int(id), .int(operation)])
    }
}

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

    /// The major release: 3, 4, 5, 6, 7.
    public let major: Int
    /// The minor release: 8 for 3.8, 10 for 6.10.
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

    /// `major.minor`.
    public var description: String { "\(major).\(minor)" }

    /// Releases in order.
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
