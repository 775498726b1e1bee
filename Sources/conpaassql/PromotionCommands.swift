import ArgumentParser
import JSONRPC

extension NodesCommand {
    /// `nodes promote ID`: a planned switchover that makes the replica ID the master.
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a running replica the master (a switchover).",
            discussion: """
                The master stops taking writes, the replica catches up with it and is promoted, then the \
                other nodes follow the new master and the old master becomes a replica. With --wait the \
                command follows the job's stages (FENCE, ELECT, CATCH_UP, PROMOTE, REPOINT, HEAL) and \
                ends with how long writes were unavailable.

                Example:
                  conpaassql nodes promote node-2 --wait
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The replica to promote, e.g. node-2.")
        var id: String

        @Flag(help: "Follow the switchover until it ends.")
        var wait = false

        func run() async throws {
            try await global.runPromotionJob("switchover", params: ["serviceNodeId": .string(id)], doing: "promoting \(id)", wait: wait)
        }
    }

    /// `nodes replace ID`: a new node takes the place of ID, which is then removed.
    struct Replace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a node with a new one.",
            discussion: """
                A new replica is added and ID is removed once it runs. Replacing the master first \
                switches over to the most advanced healthy replica.

                Example:
                  conpaassql nodes replace node-3 --wait
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The node to replace.")
        var id: String

        @Flag(help: "Follow the replacement until it ends.")
        var wait = false

        func run() async throws {
            try await global.runPromotionJob("replace_node", params: ["serviceNodeId": .string(id)], doing: "replacing \(id)", wait: wait)
        }
    }
}

/// `conpaassql failover`: promotes the most advanced replica when the master has failed.
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Promote a replica because the master has failed.",
        discussion: """
            The manager refuses while the master is healthy: use `conpaassql nodes promote ID` for a \
            planned switchover. The failed master is fenced, the most advanced replica is promoted and \
            the others follow it; transactions the replicas never received are reported as lost GTIDs.

            Example:
              conpaassql failover --wait
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Follow the failover until it ends.")
    var wait = false

    func run() async throws {
        try await global.runPromotionJob("failover", doing: "failing over", wait: wait)
    }
}

extension GlobalOptions {
    /// Calls the POST `method`, which answers `{"job": N}`; with `wait`, follows the job
    /// and prints what its promotion did, exiting with 4 when it FAILED.
    func runPromotionJob(_ method: String, params: [String: JSONValue] = [:], doing: String, wait: Bool) async throws {
        try await withClient { client in
            let result = try await client.call(method, params: params)
            let jobID = result["job"]?.intValue ?? 0
            guard wait else {
                show(result) { _ in "job \(jobID): \(doing); follow it with: conpaassql jobs show \(jobID)" }
                return
            }
            if !json { Console.line("job \(jobID): \(doing)") }
            let job = try await JobFollower(client: client, display: JobFollower.display(quiet: json)).follow(jobID)
            if json { Console.line(job.description) }
            if !json, let promotion = promotionLine(job["promotion"]) { Console.line(promotion) }
            try await JobReport(client: client).checkSucceeded(JobSummary(job))
        }
    }
}

/// One line for a promotion (`get_job`'s `promotion`, `get_service_info`'s `last_failover`):
/// `switchover node-1 → node-2 (epoch 4), writes unavailable 812 ms, lost GTIDs 0-1-17`; nil when there is none.
func promotionLine(_ promotion: JSONValue?) -> String? {
    guard let promotion, promotion != .null else { return nil }
    let kind = (promotion["kind"]?.cell ?? "?") + (promotion["automatic"]?.boolValue == true ? " (automatic)" : "")
    var head = "\(kind) \(promotion["from"]?.cell ?? "?") → \(promotion["to"]?.cell ?? "?")"
    if let epoch = promotion["epoch"]?.intValue { head += " (epoch \(epoch))" }
    var parts = [head]
    if let at = promotion["at"]?.stringValue { parts.append("at \(at)") }
    if let milliseconds = promotion["write_unavailable_ms"]?.intValue { parts.append("writes unavailable \(milliseconds) ms") }
    if let lost = promotion["lost_gtids"]?.stringValue, !lost.isEmpty { parts.append("lost GTIDs \(lost)") }
    if let failure = promotion["failure"]?.stringValue { parts.append("failed: \(failure)") }
    return parts.joined(separator: ", ")
}
