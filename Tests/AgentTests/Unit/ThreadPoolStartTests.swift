@testable import Agent
import NIOPosix
import Testing

@Suite("The agent's thread pool at start-up")
struct ThreadPoolStartTests {
    struct StartFailed: Error {}

    @Test("A start-up that throws shuts its pool down; one that succeeds leaves it running")
    func shutDownOnFailure() async throws {
        let failed = NIOThreadPool(numberOfThreads: 1)
        await #expect(throws: StartFailed.self) {
            try await startingThreadPool(failed) { throw StartFailed() }
        }
        await #expect(throws: (any Error).self) { try await failed.runIfActive {} }

        let started = NIOThreadPool(numberOfThreads: 1)
        try await startingThreadPool(started) {}
        try await started.runIfActive {}
        try await started.shutdownGracefully()
    }
}
