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
