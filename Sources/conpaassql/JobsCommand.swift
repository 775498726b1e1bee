import ArgumentParser
import JSONRPC

/// `conpaassql jobs list|show ID`: what the manager is doing or did.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "The manager's jobs: adding, removing, replacing nodes, failovers, switchovers, shutting down.", subcommands: [List.self, Show.self])

    /// `jobs list [--limit N] [--before ID]`: the newest jobs, newest first.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the newest jobs, newest first.",
            discussion: "Examples:\n  conpaassql jobs list\n  conpaassql jobs list --limit 200 --before 1200")

        @OptionGroup var global: GlobalOptions

        @Option(help: "How many jobs to list (1 to 1000; the manager lists 50 when not told).")
        var limit: Int?

        @Option(help: "List only jobs older than this job id (the next page's id is printed under the table).")
        var before: Int?

        func run() async throws {
            let params = ["limit": limit, "before": before].compactMapValues { $0.map(JSONValue.int) }
            let result = try await global.withClient { try await $0.call("list_jobs", kind: .get, params: params) }
            global.show(result) { result in
                var table = TextTable("JOB", "KIND", "STATE", "PROGRESS", "CREATED", "MESSAGE")
                for job in (result["jobs"]?.arrayValue ?? []).map(JobSummary.init) {
                    table.add("\(job.id)", job.kind, job.state, "\(job.done)/\(job.total)", job.createdAt, job.message ?? "-")
                }
                guard let next = result["next_before"]?.intValue else { return table.rendered }
                return table.rendered + "\nolder jobs: conpaassql jobs list --before \(next)"
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
