import ConPaaSCore
import Synchronization

extension OpenNebulaDriver {
    /// Tries the version's destroy steps in order; a step refused with ACTION
    /// (wrong state) passes to the next one. A VM that does not exist, or is
    /// already DONE, counts as destroyed.
    public func destroyVM(id: String) async throws(CloudError) {
        guard let vmID = Int(id) else {
            throw CloudError(.notFound, "\"\(id)\" is not an OpenNebula VM id")
        }
        terminations.insert(vmID)
        var refusal: OpenNebulaError?
        for step in version.destroySteps {
            do {
                try await perform(step, on: vmID)
                logger.info("destroying VM", metadata: ["vm.id": "\(vmID)", "step": "\(step)"])
                return
            } catch where error.kind == .noExists {
                return
            } catch where error.kind == .action {
                refusal = error
            } catch {
                logger.warning("destroy failed", metadata: ["vm.id": "\(vmID)", "error": "\(error)"])
                throw error.cloudError
            }
        }
        // Every step was refused: fine if the VM is already DONE.
        do {
            let record = try VMDocument.parseVM(try await client.vmInfo(id: vmID))
            if VMStateNames.state(record.state) == "DONE" { return }
            let state = "\(VMStateNames.state(record.state))/\(VMStateNames.lcmState(record.lcmState))"
            throw CloudError(.wrongState, "VM \(vmID) cannot be destroyed in state \(state): \(refusal?.message ?? "refused")")
        } catch let error as OpenNebulaError where error.kind == .noExists {
            return
        } catch let error as OpenNebulaError {
            throw error.cloudError
        } catch let error as CloudError {
            throw error
        } catch {
            throw CloudError(.failed, "\(error)")
        }
    }

    private func perform(_ step: OpenNebulaVersion.DestroyStep, on id: Int) async throws(OpenNebulaError) {
        switch step {
        case .action(let action):
            try await client.vmAction(action, id: id)
        case .recoverDelete:
            try await client.vmRecover(id: id, operation: 3)
        }
    }
}

/// The VMs this driver asked OpenNebula to end, and when it started: a VM that
/// reaches DONE without being in the set is reported as failed.
final class RequestedTerminations: Sendable {
    /// When the driver started (seconds since 1970); DONE VMs that ended before are history.
    let since: Int
    private let ids = Mutex<Set<Int>>([])

    init(since: Int) {
        self.since = since
    }

    func insert(_ id: Int) {
        _ = ids.withLock { $0.insert(id) }
    }

    func contains(_ id: Int) -> Bool {
        ids.withLock { $0.contains(id) }
    }
}
