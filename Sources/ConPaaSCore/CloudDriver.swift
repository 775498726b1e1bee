/// What the manager asks a cloud to boot: a named VM with contextualization
/// variables (they become `context.sh` inside the VM).
public struct VMRequest: Sendable, Hashable, Codable {
    /// The VM's name. Managers name their VMs `<prefix><node id>` so that they can
    /// find them again in the cloud's VM list after a restart.
    public var name: String
    /// CONTEXT variables, e.g. `MANAGER_IP`, `SERVICE_SECRET`, `NODE_ID`.
    public var context: [String: String]

    public init(name: String, context: [String: String]) {
        self.name = name
        self.context = context
    }
}

/// Where a VM is in its life, as far as the manager cares.
public enum VMStatus: String, Sendable, Codable, CaseIterable {
    /// Accepted, not booting yet.
    case pending
    /// Being deployed or booting.
    case booting
    /// Running (the guest may still be starting its services).
    case running
    /// Failed to deploy or boot, or crashed; `VMInfo.reason` says why.
    case failed
    /// Being shut down at the manager's request, not gone yet (it may still run).
    case stopping
    /// Being shut down or gone.
    case terminated
}

/// A VM as the cloud reports it.
public struct VMInfo: Sendable, Hashable, Codable {
    /// The cloud's id.
    public var id: String
    public var name: String
    /// The VM's IP address, when the cloud assigned one.
    public var address: String?
    public var status: VMStatus
    /// The cloud's explanation for a failure.
    public var reason: String?

    public init(id: String, name: String, address: String?, status: VMStatus, reason: String? = nil) {
        self.id = id
        self.name = name
        self.address = address
        self.status = status
        self.reason = reason
    }
}

/// A cloud the manager can boot agent VMs on: the built-in local cloud, or OpenNebula.
public protocol CloudDriver: Sendable {
    /// A short name for logs and metrics: `"local"`, `"opennebula"`.
    var name: String { get }

    /// Creates one VM. Answers once the cloud accepted it (its address, when the
    /// cloud assigns it at creation, is already set).
    func createVM(_ request: VMRequest) async throws(CloudError) -> VMInfo

    /// Every VM whose name starts with `namePrefix`, with one query to the cloud
    /// whatever their number. Terminated VMs may be left out.
    func listVMs(namePrefix: String) async throws(CloudError) -> [VMInfo]

    /// Destroys a VM; destroying one that is already gone is not an error.
    func destroyVM(id: String) async throws(CloudError)

    /// Stops a VM at once, without a graceful shutdown, and destroys it: how a
    /// master that must never write again is fenced. Confirm with ``listVMs(namePrefix:)``.
    func fenceVM(id: String) async throws(CloudError)
}

extension CloudDriver {
    /// Clouds whose destroy is already immediate (OpenNebula's hard actions) fence with it.
    public func fenceVM(id: String) async throws(CloudError) {
        try await destroyVM(id: id)
    }
}

/// A cloud's refusal or failure, with its own message.
public struct CloudError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The credentials were refused.
        public static let authentication = Code("authentication")
        /// The request was refused: quota, bad template, no capacity.
        public static let refused = Code("refused")
        /// No such VM.
        public static let notFound = Code("not found")
        /// The VM is in a state that does not allow the action.
        public static let wrongState = Code("wrong state")
        /// The cloud could not be reached, or timed out.
        public static let unreachable = Code("unreachable")
        /// The cloud answered something that could not be understood.
        public static let invalidResponse = Code("invalid response")
        /// Anything else the cloud reported.
        public static let failed = Code("failed")

        public var description: String { name }
    }

    public let code: Code
    /// The cloud's own message.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "cloud \(code): \(message)" }
}
