import Logging
import ServiceLifecycle

/// Drives time in onesim: applies the timed state transitions, runs the
/// booter's work (boots concurrently, in a task group this service owns) and
/// saves the pool, every `interval`; saves once more when the service group shuts down.
struct SimulatorClock: Service {
    let simulator: OneSimulator
    let booter: (any SimulatedVMBooter)?
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                while !Task.isCancelled {
                    for job in await simulator.takeJobs() {
                        group.addTask { await perform(job) }
                    }
                    await simulator.saveIfNeeded()
                    try? await Task.sleep(for: interval)
                }
            }
        }
        await simulator.saveIfNeeded()
    }

    private func perform(_ job: BooterJob) async {
        guard let booter else { return }
        switch job {
        case .boot(let id, let name, let address, let context):
            do {
                try await booter.boot(id: id, name: name, address: address, context: context)
                await simulator.bootFinished(id: id, failure: nil)
            } catch {
                logger.warning("boot failed", metadata: ["vm.id": "\(id)", "error": "\(error)"])
                await simulator.bootFinished(id: id, failure: "\(error)")
            }
        case .destroy(let id):
            await booter.destroy(id: id)
        }
    }
}
