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
