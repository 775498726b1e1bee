import Foundation
import Logging
import NIOPosix

extension LocalVMHost {
    /// How often `destroy` looks whether a VM's processes are gone.
    private static let pollInterval = Duration.milliseconds(50)
    /// How long `destroy` waits for the processes to vanish after SIGKILL.
    private static let killGrace = Duration.seconds(10)

    /// Stops VM `id` and removes its directory: SIGTERM to its whole session
    /// (see ``VMSession``), up to ``terminationGrace`` for it to vanish, then SIGKILL. The
    /// directory (and so the VM's address) stays until the processes are gone.
    /// Destroying an unknown or already destroyed VM does nothing.
    ///
    /// When the calling task is cancelled it does not wait out the grace: it
    /// sends SIGKILL at once and still removes the VM. `hard` skips SIGTERM.
    public func destroy(id: String, hard: Bool = false) async {
        guard VMFile.isPlainName(id) else { return }
        let vm = directory(id)
        guard vm.exists else { return }
        if let record = vm.readRecord(), state(of: record) == .running {
            await stop(record, hard: hard)
        }
        await remove(vm)
    }

    private func stop(_ record: LocalVMRecord, hard: Bool) async {
        let metadata: Logger.Metadata = ["vm.id": "\(record.id)", "vm.pgid": "\(record.processGroup)"]
        if !hard {
            logger.info("stopping VM (SIGTERM)", metadata: metadata)
            VMSession.signal(record.processGroup, SIGTERM)
            if await waitUntilStopped(record, within: terminationGrace) { return }
        }
        logger.warning(hard ? "killing VM (SIGKILL)" : "VM still running after SIGTERM; sending SIGKILL", metadata: metadata)
        VMSession.signal(record.processGroup, SIGKILL)
        if await !waitUntilStopped(record, within: Self.killGrace, resending: SIGKILL) {
            logger.error("VM still has processes after SIGKILL", metadata: metadata)
        }
    }

    /// Polls until the VM's processes are gone, sending `resending` again each
    /// time (for a process forked just as the last one was sent); false if
    /// `limit` passed first or the task was cancelled.
    private func waitUntilStopped(_ record: LocalVMRecord, within limit: Duration, resending: Int32? = nil) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while state(of: record) == .running {
            guard ContinuousClock.now < deadline else { return false }
            if let resending { VMSession.signal(record.processGroup, resending) }
            do {
                try await Task.sleep(for: Self.pollInterval)
            } catch {
                return state(of: record) != .running
            }
        }
        return true
    }

    /// Moves the directory to the trash at once, then empties the trash on the
    /// thread pool (a VM's data can be large). If the pool refuses (cancelled
    /// task, pool shut down), what is left goes with the next VM destroyed.
    private func remove(_ vm: VMDirectory) async {
        let trash = trashDirectory
        do {
            try vm.moveToTrash(trash)
        } catch {
            if vm.exists { logger.error("\(error)", metadata: ["vm.id": "\(vm.id)"]) }  // else a concurrent destroy moved it
            return
        }
        logger.info("destroyed VM", metadata: ["vm.id": "\(vm.id)"])
        do {
            try await NIOThreadPool.singleton.runIfActive {
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: trash)) ?? [] {
                    try? FileManager.default.removeItem(atPath: "\(trash)/\(entry)")
                }
            }
        } catch {
            logger.debug("trash left for later: \(error)", metadata: ["vm.id": "\(vm.id)"])
        }
    }
}
