import ConPaaSCore
import Foundation
import JSONRPC
@testable import Manager
import Testing

@Suite("Manager state in SQLite")
struct ManagerStoreTests {
    func store() throws -> (ManagerStore, String) {
        let directory = "/tmp/cq-store-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try ManagerStore(path: "\(directory)/m.sqlite"), directory)
    }

    @Test("The first node is the master; ids, numbers and server ids are unique; the plan is recorded")
    func addNodes() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (job, nodes) = try await store.addNodes(count: 3, maxNodes: 10)
        #expect(nodes.map(\.role) == [.master, .slave, .slave])
        #expect(Set(nodes.map(\.serverID)).count == 3)
        #expect(try await store.tasks(ofJob: job.id!).count == 15)
        let (_, more) = try await store.addNodes(count: 1, maxNodes: 10)
        #expect(more[0].role == .slave)
        #expect(ManagerService.state(of: store.snapshot()) == .prologue)
        await #expect(throws: RPCError.self) { try await store.addNodes(count: 7, maxNodes: 10) }
    }

    @Test("Removal: unknown ids are refused; a master with replicas asks for a switchover first (with nothing else); counts pick replicas")
    func removeNodes() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await store.addNodes(count: 3, maxNodes: 10)
        await #expect(throws: RPCError.invalidArgument("serviceNodeId", detail: "unknown node node-9")) {
            try await store.removeNodes(ids: ["node-9"], count: nil)
        }
        await #expect(throws: MasterRemoval.self) { try await store.removeNodes(ids: ["node-1"], count: nil) }
        await #expect(throws: RPCError.failed("remove the master on its own: it is switched over first")) {
            try await store.removeNodes(ids: ["node-1", "node-2"], count: nil)
        }
        await #expect(throws: RPCError.invalidArgument("count", detail: "there are only 2 replicas to remove")) {
            try await store.removeNodes(ids: nil, count: 3)
        }
        _ = try await store.removeNodes(ids: nil, count: 1)
        let snapshot = store.snapshot()
        #expect(snapshot.node("node-3")?.state == .removing)
        #expect(snapshot.node("node-3")?.stage == .drain)
        #expect(snapshot.node("node-2")?.state == .pending)
    }

    @Test("After shutdown nothing can be added or removed")
    func wrongState() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await store.addNodes(count: 1, maxNodes: 10)
        _ = try await store.shutdown()
        #expect(ManagerService.state(of: store.snapshot()) == .epilogue)
        await #expect(throws: RPCError.wrongState) { try await store.addNodes(count: 1, maxNodes: 10) }
        await #expect(throws: RPCError.wrongState) { try await store.removeNodes(ids: nil, count: 1) }
        await #expect(throws: RPCError.wrongState) { try await store.shutdown() }
    }

    @Test("50 concurrent add and remove requests keep one master and unique server ids")
    func concurrency() async throws {
        let (store, directory) = try store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<50 {
                group.addTask {
                    if index % 3 == 2 {
                        _ = try? await store.removeNodes(ids: nil, count: 1)
                    } else {
                        _ = try? await store.addNodes(count: 1 + index % 2, maxNodes: 40)
                    }
                }
            }
        }
        let snapshot = store.snapshot()
        let live = snapshot.liveNodes.filter { $0.state != .removing }
        #expect(live.filter { $0.role == .master }.count == 1)
        #expect(Set(snapshot.liveNodes.map(\.serverID)).count == snapshot.liveNodes.count)
        #expect(Set(snapshot.liveNodes.map(\.id)).count == snapshot.liveNodes.count)
        #expect(snapshot.liveNodes.count <= 40)
    }
}
