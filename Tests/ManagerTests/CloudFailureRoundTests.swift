import ConPaaSCore
import Foundation
import Logging
@testable import Manager
import Synchronization
import TestSupport
import Testing

/// A cloud whose VM list always fails, and which counts the VMs it was asked to create.
private final class FailingListCloud: CloudDriver {
    let name = "failing-list"
    let creations = Atomic(0)

    func createVM(_ request: VMRequest) async throws(CloudError) -> VMInfo {
        creations.add(1, ordering: .relaxed)
        throw CloudError(.unreachable, "no cloud in this test")
    }

    func listVMs(namePrefix: String) async throws(CloudError) -> [VMInfo] {
        throw CloudError(.unreachable, "the pool query timed out")
    }

    func destroyVM(id: String) async throws(CloudError) {}
}

@Suite("Provisioning rounds while the cloud fails")
struct CloudFailureRoundTests {
    @Test("A failing VM list holds back only the nodes that need it: a drained node is still destroyed and its job finished")
    func failingListHoldsBackOnlyItsNodes() async throws {
        try await withTemporaryStore { store, _ in
            _ = try await store.addNodes(count: 2, maxNodes: 10)
            // node-1 asked the cloud for its VM before a crash: deciding for it needs the VM list.
            _ = try await store.updateNode("node-1") { $0.createRequested = true }
            let removal = try await store.removeNodes(ids: ["node-2"], count: nil)

            let cloud = FailingListCloud()
            let worker = ProvisioningWorker(
                store: store, cloud: cloud, agents: AgentDirectory(secret: "s", agentPort: 60000, httpClient: AgentDirectory.sharedHTTPClient),
                context: VMContextTemplate(serviceTag: "t", managerAddress: "127.0.0.1", managerPort: 1, secret: "s", extra: [:]),
                policy: ProvisioningPolicy(pollInterval: .milliseconds(50)), failover: FailoverPolicy(), endpoints: nil, backupFiles: BackupStore(directory: "/nonexistent"),
                metrics: ManagerMetrics(), logger: Logger(label: "test.round"))
            let running = Task { try await worker.run() }
            defer { running.cancel() }

            try await eventually("the drained node is terminated and its job finished") {
                let drained = try await store.node("node-2")
                let job = try await store.job(removal.id ?? 0)
                return drained?.state == .terminated && job?.state == .done
            }
            let waiting = try #require(try await store.node("node-1"))
            #expect(waiting.stage == .create)
            #expect(waiting.vmID == nil)
            #expect(cloud.creations.load(ordering: .relaxed) == 0)
        }
    }
}
