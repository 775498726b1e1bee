import Foundation
import Testing

/// `scripts/chaos` (issue 9): random operations and faults against a real manager,
/// agents and mariadbd on the local cloud, and the invariants after every round.
@Suite("scripts/chaos")
struct ChaosRunTests {
    @Test("Three fixed-seed rounds of operations and faults keep every invariant, and the run reports them")
    func threeRounds() async throws {
        // Only the loopback block and the state directory (its tear-down kills what the run left): chaos.py starts its own manager.
        let reservation = try TestManager()
        let work = "\(reservation.stateDirectory)/chaos"
        let run: ClientRun
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            run = try await ClientProcess.run(
                "/usr/bin/env", ["python3", "\(TestManager.repository)/scripts/chaos.py", TestManager.binaries, work,
                                 "--seed", "11", "--rounds", "3", "--block", "\(reservation.block)"],
                timeout: .seconds(1200))
        } catch {
            await reservation.tearDown()
            throw error
        }
        let managerLog = tail(of: "\(work)/manager.log")
        await reservation.tearDown()
        #expect(run.status == 0, "\(run)\n--- manager log tail\n\(managerLog)")
        for round in 1...3 {
            #expect(run.lines.contains { $0.hasPrefix("round   \(round): ") && $0.hasSuffix(": ok") }, "\(run)")
        }
        let summary = try #require(run.lines.last, "\(run)")
        #expect(summary.hasPrefix("| 3 | "), "\(run)")  // faults whose victim was already gone are not counted
        #expect(summary.hasSuffix("| 0 |"), "\(run)")
    }

    private func tail(of path: String) -> String {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(40).joined(separator: "\n")
    }
}
