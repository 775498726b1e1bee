import Foundation
import JSONRPC

/// Draws a job's progress each time the follower reads it.
protocol ProgressDisplay {
    mutating func update(_ job: JobSummary)
}

/// Follows a job with `get_job` until it ends, showing its progress.
struct JobFollower {
    let client: RPCClient
    /// Where progress goes; nil shows none (for --json).
    var display: (any ProgressDisplay)?
    var interval: Duration = .milliseconds(500)

    /// The display that suits stdout: bars redrawn in place on a terminal, a line per stage change otherwise.
    static func display(quiet: Bool) -> (any ProgressDisplay)? {
        if quiet { return nil }
        return Console.isTerminal ? ProgressBars() as any ProgressDisplay : StageLines()
    }

    /// Polls the job until it is DONE or FAILED; answers its last `get_job` result.
    func follow(_ id: Int) async throws -> JSONValue {
        var display = display
        while true {
            let result = try await client.call("get_job", kind: .get, params: ["id": .int(id)])
            let job = JobSummary(result)
            display?.update(job)
            if job.isFinished { return result }
            try await Task.sleep(for: interval)
        }
    }
}

/// One line per stage change, for pipes and logs: `node-1  CONFIRM    done     2/5`.
struct StageLines: ProgressDisplay {
    private var seen: [String: String] = [:]

    mutating func update(_ job: JobSummary) {
        let nodes = Dictionary(uniqueKeysWithValues: job.nodes.map { ($0.node, $0) })
        for step in job.tasks where step.state != "PENDING" && seen["\(step.node) \(step.stage)"] != step.state {
            seen["\(step.node) \(step.stage)"] = step.state
            let node = nodes[step.node]
            let note = step.message.map { ": \($0)" } ?? ""
            let stage = step.stage.padded(to: 9), state = step.state.lowercased().padded(to: 7)
            Console.line("\(step.node)  \(stage)  \(state)  \(node?.done ?? 0)/\(node?.total ?? 0)\(note)")
        }
        if job.isFinished { Console.line("job \(job.id) \(job.state): \(job.done)/\(job.total) stages") }
    }
}

/// A progress bar per node, redrawn in place on a terminal.
struct ProgressBars: ProgressDisplay {
    private var drawnLines = 0
    private let started = ContinuousClock.now
    private let colours = ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    mutating func update(_ job: JobSummary) {
        let seconds = (ContinuousClock.now - started).components.seconds
        var lines = ["job \(job.id) \(job.kind)  \(paint(job.state, job.state))  \(job.done)/\(job.total) stages  \(seconds)s"]
        for node in job.nodes {
            let width = 20
            let filled = node.total == 0 ? width : width * node.done / node.total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let status = node.failure.map { paint("FAILED at \($0.stage)", "FAILED") }
                ?? node.current.map { paint($0, "RUNNING") } ?? paint("done", "DONE")
            lines.append("  \(node.node.padded(to: 9)) \(bar) \(node.done)/\(node.total)  \(status)")
        }
        let up = drawnLines > 0 ? "\u{1B}[\(drawnLines)F" : ""
        Console.write(up + lines.map { "\u{1B}[2K\($0)\n" }.joined() + "\u{1B}[J")
        drawnLines = lines.count
    }

    /// `text` in the colour of `state`: green done, red failed, yellow running.
    private func paint(_ text: String, _ state: String) -> String {
        guard colours else { return text }
        let code = ["DONE": "32", "FAILED": "31", "RUNNING": "33"][state] ?? "0"
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
