/// The `one.*` methods onesim implements.
enum OneMethod: String, Sendable {
    case systemVersion = "one.system.version"
    case vmAllocate = "one.vm.allocate"
    case vmInfo = "one.vm.info"
    case vmAction = "one.vm.action"
    case vmRecover = "one.vm.recover"
    case vmPoolInfo = "one.vmpool.info"
    case vmPoolInfoExtended = "one.vmpool.infoextended"

    /// Whether `profile`'s release has the method (`infoextended` came in 5.10).
    func exists(in profile: SimulatorProfile) -> Bool {
        self != .vmPoolInfoExtended || profile.hasExtendedPoolInfo
    }
}

/// Reads a call's parameters in order, with the faults of xmlrpc-c's C++
/// `paramList` accessors (-501) for missing or mistyped ones.
struct ParamReader {
    private let params: [RPCValue]
    private var index = 0

    init(_ params: [RPCValue]) {
        self.params = params
    }

    /// Whether more parameters remain.
    var hasMore: Bool { index < params.count }

    mutating func string() throws(XMLRPCFault) -> String {
        guard case .string(let value) = try next() else { throw .wrongType(expected: "string") }
        return value
    }

    mutating func int() throws(XMLRPCFault) -> Int {
        guard case .int(let value) = try next() else { throw .wrongType(expected: "integer") }
        return value
    }

    mutating func bool() throws(XMLRPCFault) -> Bool {
        guard case .bool(let value) = try next() else { throw .wrongType(expected: "boolean") }
        return value
    }

    private mutating func next() throws(XMLRPCFault) -> RPCValue {
        guard index < params.count else { throw .notEnoughParameters }
        defer { index += 1 }
        return params[index]
    }
}
