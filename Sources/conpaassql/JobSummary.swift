import JSONRPC

/// A job as `get_job` and `list_jobs` show it, with its tasks grouped by node.
struct JobSummary {
    /// One stage of one node.
    struct Step: Equatable {
        let node: String
        let stage: String
        let state: String
        let attempts: Int
        let message: String?
    }

    /// How far one node is in the job.
    struct NodeProgress {
        let node: String
        let done: Int
        let total: Int
        /// The stage running now, or the next one to run; nil when the node is through.
        let current: String?
        /// The task that failed, if one did.
        let failure: Step?
    }

    let id: Int
    let kind: String
    let state: String
    let message: String?
    let createdAt: String
    let done: Int
    let total: Int
    let tasks: [Step]

    init(_ json: JSONValue) {
        id = json["id"]?.intValue ?? 0
        kind = json["kind"]?.stringValue ?? "?"
        state = json["state"]?.stringValue ?? "?"
        message = json["message"]?.stringValue
        createdAt = json["created_at"]?.stringValue ?? "-"
        done = json["progress"]?["done"]?.intValue ?? 0
        total = json["progress"]?["total"]?.intValue ?? 0
        tasks = (json["tasks"]?.arrayValue ?? []).map { task in
            Step(node: task["node"]?.stringValue ?? "?", stage: task["stage"]?.stringValue ?? "?", state: task["state"]?.stringValue ?? "?",
                 attempts: task["attempts"]?.intValue ?? 0, message: task["message"]?.stringValue)
        }
    }

    /// Whether the job has ended (DONE or FAILED).
    var isFinished: Bool { state != "RUNNING" }

    /// The job's nodes, in the order their tasks come.
    var nodeIDs: [String] {
        tasks.map(\.node).reduce(into: [String]()) { ids, node in if !ids.contains(node) { ids.append(node) } }
    }

    /// Each node's progress, in the order of ``nodeIDs``.
    var nodes: [NodeProgress] {
        nodeIDs.map { node in
            let mine = tasks.filter { $0.node == node }
            return NodeProgress(
                node: node,
                done: mine.filter { ["DONE", "SKIPPED"].contains($0.state) }.count,
                total: mine.count,
                current: (mine.first { $0.state == "RUNNING" } ?? mine.first { $0.state == "PENDING" })?.stage,
                failure: mine.first { $0.state == "FAILED" })
        }
    }
}
