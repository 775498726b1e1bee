extension OneSimulator {
    /// Answers one request body with a `<methodResponse>` document: an
    /// OpenNebula answer array, or a fault from the XML-RPC layer.
    func respond(to body: [UInt8]) async -> String {
        let call: MethodCall
        do {
            call = try MethodCallParser.parse(body)
        } catch {
            return MethodResponse.fault(.unparseable(error.detail))
        }
        calls[call.name, default: 0] += 1
        do {
            return MethodResponse.success(try await run(call))
        } catch {
            return MethodResponse.fault(error)
        }
    }

    /// The session is read and checked before any other parameter, as
    /// OpenNebula's `Request::execute` does.
    private func run(_ call: MethodCall) async throws(XMLRPCFault) -> RPCValue {
        let profile = configuration.profile
        guard let method = OneMethod(rawValue: call.name), method.exists(in: profile) else {
            throw .unknownMethod(call.name)
        }
        var params = ParamReader(call.params)
        let session = try params.string()
        guard let user = SimulatedUser.authenticate(session, among: configuration.users),
              configuration.faults.firstHit(.auth, vmID: nil) == nil else {
            return profile.failureAnswer(method: call.name, .authentication)
        }
        advanceAll(now: now())
        do {
            let result = try await perform(method, params: &params, user: user)
            return profile.successAnswer(result)
        } catch let failure as OneFailure {
            return profile.failureAnswer(method: call.name, failure)
        } catch let fault as XMLRPCFault {
            throw fault
        } catch {
            return profile.failureAnswer(method: call.name, OneFailure(code: .internal, message: "\(error)"))
        }
    }

    private func perform(_ method: OneMethod, params: inout ParamReader, user: SimulatedUser) async throws -> RPCValue {
        let profile = configuration.profile
        switch method {
        case .systemVersion:
            await delayIfSlow(vmID: nil)
            return .string(profile.version)
        case .vmAllocate:
            let template = try params.string()
            let hold = profile != .v3_8 && params.hasMore ? try params.bool() : false
            await delayIfSlow(vmID: nextID)
            return .int(try allocate(template, hold: hold, user: user))
        case .vmInfo:
            let id = try params.int()
            await delayIfSlow(vmID: id)
            return .string(documents.vm(try visibleVM(id, to: user)))
        case .vmAction:
            let name = try params.string()
            let id = try params.int()
            await delayIfSlow(vmID: id)
            guard let action = profile.action(named: name) else { throw OneFailure.unsupportedAction(name, id: id) }
            var vm = try visibleVM(id, to: user)
            let time = now()
            try change(&vm) { (vm: inout SimulatedVM) throws(OneFailure) in try lifecycle.perform(action, name: name, on: &vm, now: time) }
            return .int(id)
        case .vmRecover:
            let id = try params.int()
            let operation = profile.recoverTakesOperation
                ? RecoverOperation(rawValue: try params.int())
                : (try params.bool() ? .success : .failure)
            await delayIfSlow(vmID: id)
            var vm = try visibleVM(id, to: user)
            guard let operation else {
                throw OneFailure(code: .action, message: "Wrong recovery operation code", objectID: id)
            }
            let time = now()
            try change(&vm) { (vm: inout SimulatedVM) throws(OneFailure) in try lifecycle.recover(operation, on: &vm, now: time) }
            return .int(id)
        case .vmPoolInfo, .vmPoolInfoExtended:
            let optional = profile == .v3_8
            let filter = try params.int()
            let start = optional && !params.hasMore ? -1 : try params.int()
            let end = optional && !params.hasMore ? -1 : try params.int()
            let state = optional && !params.hasMore ? -1 : try params.int()
            await delayIfSlow(vmID: nil)
            let chosen = try pool(filter: filter, start: start, end: end, state: state, user: user)
            return .string(documents.pool(chosen, extended: method == .vmPoolInfoExtended))
        }
    }

    private func allocate(_ text: String, hold: Bool, user: SimulatedUser) throws -> Int {
        let id = nextID
        if let rule = configuration.faults.firstHit(.allocate, vmID: id), firedAllocationFaults.insert(id).inserted || rule.target != .vm(id) {
            throw OneFailure.allocation("Simulated failure (onesim --faults allocate).")
        }
        let attributes: [TemplateAttribute]
        do {
            attributes = try TemplateParser.parse(text)
        } catch {
            throw OneFailure(code: .internal, message: error.message)
        }
        let fate: VMFate = configuration.faults.firstHit(.fail, vmID: id) != nil ? .fail
            : configuration.faults.firstHit(.vanish, vmID: id) != nil ? .vanish
            : configuration.faults.firstHit(.stuck, vmID: id) != nil ? .stuck : .normal
        let builder = VMBuilder(profile: configuration.profile, id: id, user: user, now: now())
        vms[id] = try builder.build(attributes, hold: hold, fate: fate, leases: &leases)
        nextID += 1
        save()
        logger.info("allocated VM", metadata: ["vm.id": "\(id)", "vm.fate": "\(fate.rawValue)"])
        return id
    }

    private func visibleVM(_ id: Int, to user: SimulatedUser) throws(OneFailure) -> SimulatedVM {
        guard let vm = vms[id] else { throw OneFailure.noSuchVM(id) }
        guard user.id == 0 || vm.uid == user.id else {
            throw OneFailure(code: .authorization, message: "User [\(user.id)] : Not authorized to perform MANAGE VM [\(id)].", objectID: id)
        }
        return vm
    }

    /// Applies a lifecycle change to `vm`, stores it and handles its events.
    private func change(_ vm: inout SimulatedVM, _ body: (inout SimulatedVM) throws(OneFailure) -> [LifecycleEvent]) throws(OneFailure) {
        let events = try body(&vm)
        vms[vm.id] = vm
        handle(events)
        save()
    }

    private func pool(filter: Int, start: Int, end: Int, state: Int, user: SimulatedUser) throws(OneFailure) -> [SimulatedVM] {
        guard filter >= -4 else { throw OneFailure(code: .xmlRPCAPI, message: "Incorrect filter_flag.") }
        return vms.values.sorted { $0.id < $1.id }.filter { vm in
            let owned: Bool = switch filter {
            case -3: vm.uid == user.id
            case -2, -1, -4: user.id == 0 || vm.uid == user.id
            default: vm.uid == filter && (user.id == 0 || vm.uid == user.id)
            }
            let inRange = (start < 0 || vm.id >= start) && (end < 0 || vm.id <= end)
            let stateMatches = state == -2 || (state == -1 ? vm.phase != .done : vm.phase.state == state)
            return owned && inRange && stateMatches
        }
    }

    private func delayIfSlow(vmID: Int?) async {
        guard let delay = configuration.faults.firstHit(.slow, vmID: vmID)?.delay else { return }
        try? await Task.sleep(for: delay)
    }
}

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
