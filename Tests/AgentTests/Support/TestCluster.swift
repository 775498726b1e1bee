import Synchronization

/// The agents one test starts, each on its own address of the test's loopback
/// block; all are stopped and their directories removed when the test ends,
/// whether it passed or threw.
final class TestCluster: Sendable {
    private let block = TestAddresses.block()
    private let root: String
    private let agents = Mutex<[TestAgent]>([])

    private init() throws {
        root = try TestDirectory.make()
    }

    /// Runs `body` with a fresh cluster and tears it down afterwards.
    static func with(_ body: (TestCluster) async throws -> Void) async throws {
        let cluster = try TestCluster()
        do {
            try await body(cluster)
        } catch {
            await cluster.tearDown()
            throw error
        }
        await cluster.tearDown()
    }

    /// The loopback address of node `index` (1-254).
    func address(_ index: Int) -> String { "127.0.\(block).\(index)" }

    /// The directory of node `index`.
    func directory(_ index: Int) -> String { "\(root)/n\(index)" }

    /// Starts (or restarts, on its existing directory) the agent of node `index`.
    func start(_ index: Int, maxUploadBytes: Int64 = 1 << 30, managerURL: String? = nil, awaitRestore: Bool = false) async throws -> TestAgent {
        let agent = try await TestAgent(
            address: address(index), directory: directory(index), maxUploadBytes: maxUploadBytes, managerURL: managerURL, awaitRestore: awaitRestore)
        agents.withLock { $0.append(agent) }
        return agent
    }

    /// Starts the agent of node `index` and makes its server the master (`set_up_replica_master`).
    func startMaster(_ index: Int = 1) async throws -> TestAgent {
        let agent = try await start(index)
        _ = try await agent.client.call("set_up_replica_master")
        return agent
    }

    private func tearDown() async {
        for agent in agents.withLock({ $0 }) { await agent.stop() }
        TestDirectory.remove(root)
    }
}
