/// Something the simulator must do after a VM changed.
enum LifecycleEvent: Sendable, Equatable {
    /// The VM entered BOOT: hand it to the booter.
    case bootRequested(Int)
    /// The VM reached DONE: release its leases, stop what the booter started.
    case ended(Int)
    /// The VM goes back to PENDING (recover delete-recreate): stop what the booter started.
    case stopped(Int)
    /// The VM is to disappear from the pool (vanish fault, recover delete-db).
    case vanished(Int)
}

/// OpenNebula's VM state machine: timed transitions
/// PENDING → PROLOG → BOOT → RUNNING and SHUTDOWN/CANCEL → EPILOG → DONE, one
/// `step` apart, and the actions each state allows.
struct VMLifecycle: Sendable {
    let profile: SimulatorProfile
    /// Seconds between two timed transitions.
    let step: Double
    /// Whether a booter runs VMs (BOOT then waits for it).
    let booting: Bool

    /// Applies every transition due by `now`.
    func advance(_ vm: inout SimulatedVM, now: Double) -> [LifecycleEvent] {
        var events: [LifecycleEvent] = []
        while now - vm.phaseStarted >= step, let next = nextPhase(after: vm) {
            vm.enter(next, at: vm.phaseStarted + step)
            switch next {
            case .boot where booting:
                vm.boot = .requested
                events.append(.bootRequested(vm.id))
            case .done:
                events.append(.ended(vm.id))
            case .failed, .bootFailure:
                let reason: String
                if case .failed(let message) = vm.boot { reason = message } else { reason = "Error deploying virtual machine" }
                vm.userTemplate.removeAll { $0.name == "ERROR" }
                vm.userTemplate.append(.single(name: "ERROR", value: reason))
            default:
                break
            }
        }
        if vm.phase == .running, vm.fate == .vanish, now - vm.phaseStarted >= step {
            events.append(.vanished(vm.id))
        }
        return events
    }

    private func nextPhase(after vm: SimulatedVM) -> VMPhase? {
        switch vm.phase {
        case .pending: return .prolog
        case .prolog: return .boot
        case .boot:
            let failure = profile == .v3_8 ? VMPhase.failed : .bootFailure
            if vm.fate == .fail { return failure }
            guard booting else { return .running }
            switch vm.boot {
            case .succeeded: return .running
            case .failed: return failure
            case .requested, .notRequested: return nil
            }
        case .shutdown, .cancel: return vm.fate == .stuck ? nil : .epilog
        case .epilog: return .done
        default: return nil
        }
    }

    /// Performs `action` (called `name` by the client) on `vm`, or refuses it
    /// as OpenNebula does for the VM's state.
    func perform(_ action: VMAction, name: String, on vm: inout SimulatedVM, now: Double) throws(OneFailure) -> [LifecycleEvent] {
        let phase = vm.phase
        let target: VMPhase?
        switch action {
        case .shutdown: target = phase == .running ? .shutdown : nil
        case .cancel: target = phase == .running ? .cancel : nil
        case .finalize: target = phase == .done ? nil : .done
        case .hold: target = phase == .pending ? .hold : nil
        case .release: target = phase == .hold ? .pending : nil
        case .terminate, .terminateHard:
            if phase == .done { return [] }
            if phase == .pending || phase == .hold {
                target = .done
            } else if phase == .running {
                target = .shutdown
            } else if action == .terminateHard, phase.isFailure {
                target = .epilog
            } else {
                target = nil
            }
        }
        guard let target else {
            let verb = action == .terminate || action == .terminateHard ? "terminate" : name
            throw OneFailure.wrongState(requested: name, verb: verb, id: vm.id, state: phase.name, profile: profile)
        }
        vm.enter(target, at: now)
        return target == .done ? [.ended(vm.id)] : []
    }
}

/// `one.vm.recover` operations (4.x+ numbering; 3.x sends a success flag,
/// read as `.success` or `.failure`).
enum RecoverOperation: Int, Sendable {
    case failure = 0
    case success = 1
    case retry = 2
    case delete = 3
    case deleteRecreate = 4
    case deleteDB = 5
}

extension VMLifecycle {
    /// Recovers `vm`: pretends the pending driver operation failed or
    /// succeeded, retries a failed one, or deletes the VM.
    func recover(_ operation: RecoverOperation, on vm: inout SimulatedVM, now: Double) throws(OneFailure) -> [LifecycleEvent] {
        let phase = vm.phase
        let target: VMPhase?
        switch operation {
        case .failure:
            let failures: [VMPhase: VMPhase] = profile == .v3_8
                ? [.prolog: .failed, .boot: .failed, .epilog: .failed, .shutdown: .running, .cancel: .running]
                : [.prolog: .prologFailure, .boot: .bootFailure, .epilog: .epilogFailure, .shutdown: .running, .cancel: .running]
            target = failures[phase]
        case .success:
            let successes: [VMPhase: VMPhase] = [
                .prolog: .boot, .boot: .running, .shutdown: .epilog, .cancel: .epilog, .epilog: .done,
                .prologFailure: .boot, .bootFailure: .running, .epilogFailure: .done,
            ]
            target = successes[phase]
        case .retry:
            let retries: [VMPhase: VMPhase] = [.prologFailure: .prolog, .bootFailure: .boot, .epilogFailure: .epilog]
            target = retries[phase]
            if target != nil {
                vm.fate = .normal
                vm.boot = .notRequested
            }
        case .delete:
            target = phase == .done ? nil : .done
        case .deleteRecreate:
            target = phase == .done ? nil : .pending
        case .deleteDB:
            return [.vanished(vm.id)]
        }
        guard let target else {
            throw OneFailure.wrongState(requested: "recover", verb: "recover", id: vm.id, state: phase.name, profile: profile)
        }
        vm.enter(target, at: now)
        switch target {
        case .done: return [.ended(vm.id)]
        case .boot where booting:
            vm.boot = .requested
            return [.bootRequested(vm.id)]
        case .pending:
            vm.boot = .notRequested
            return booting ? [.stopped(vm.id)] : []
        default: return []
        }
    }
}
