import ArgumentParser
import JSONRPC

/// `conpaassql jobs list|show ID`: what the manager is doing or did.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The manager's jobs: adding, removing, replacing nodes, failovers, switchovers, shutting down.", subcommands: [List.self, Show.self])

    /// `jobs list`: every job, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every job, newest first.", discussion: "Example:\n  conpaassql jobs list")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let result = try await global.withClient { try await $0.call("list_jobs", kind: .get) }
            global.show(result) { result in
                var table = TextTable("JOB", "KIND", "STATE", "PROGRESS", "CREATED", "MESSAGE")
                for job in (result["jobs"]?.arrayValue ?? []).map(JobSummary.init) {
                    table.add("\(job.id)", job.kind, job.state, "\(job.done)/\(job.total)", job.createdAt, job.message ?? "-")
                }
                return table.rendered
            }
        }
    }

    /// `jobs show ID`: one job and the stage of each of its nodes.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a job with each node's stages.", discussion: "Example:\n  conpaassql jobs show 3")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The job's id (from nodes add, nodes remove, nodes promote, failover or jobs list).")
        var id: Int

        func run() async throws {
            let result = try await global.withClient { try await $0.call("get_job", kind: .get, params: ["id": .int(id)]) }
            global.show(result) { result in
                let job = JobSummary(result)
                var table = TextTable("NODE", "STAGE", "STATE", "ATTEMPTS", "MESSAGE")
                for task in job.tasks {
                    table.add(task.node, task.stage, task.state, "\(task.attempts)", task.message ?? "-")
                }
                var pairs = [
                    ("job", "\(job.id) \(job.kind)"), ("state", job.state), ("progress", "\(job.done)/\(job.total) stages"),
                    ("created", job.createdAt), ("finished", result["finished_at"]?.cell ?? "-"), ("message", job.message ?? "-"),
                ]
                if let promotion = promotionLine(result["promotion"]) { pairs.append(("promotion", promotion)) }
                let header = keyValueLines(pairs)
                return header + "\n\n" + table.rendered
            }
        }
    }
}
