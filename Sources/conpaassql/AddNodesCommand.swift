import Foundation
import ArgumentParser
import JSONRPC

/// `conpaassql nodes add N [--wait]`.
struct AddNodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add nodes: the first node of a service becomes the master, the others replicas.",
        discussion: """
            Without --wait the command returns at once with the job's id. With --wait it follows \
            the job: a progress bar per node on a terminal, one line per stage change otherwise \
            (CREATE, CONFIRM, BOOTSTRAP, CONFIGURE, VALIDATE), then how to connect to each node. \
            It exits with 4 if the job FAILED, after printing each failed node's reason.

            Examples:
              conpaassql nodes add 1 --wait
              conpaassql nodes add 2 --json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "How many nodes to add.")
    var count: Int

    @Flag(help: "Follow the job until its nodes run, then show how to connect.")
    var wait = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("the count must be at least 1") }
    }

    func run() async throws {
        try await global.withClient { client in
            let added = try await client.call("add_nodes", params: ["count": .int(count)])
            let jobID = added["job"]?.intValue ?? 0
            let ids = (added["nodes"]?.arrayValue ?? []).map { $0["id"]?.cell ?? "?" }.joined(separator: ", ")
            guard wait else {
                global.show(added) { _ in "job \(jobID): adding \(ids); follow it with: conpaassql jobs show \(jobID)" }
                return
            }
            if !global.json { Console.line("job \(jobID): adding \(ids)") }
            let job = try await JobFollower(client: client, display: JobFollower.display(quiet: global.json)).follow(jobID)
            if global.json { Console.line(job.description) }
            let report = JobReport(client: client)
            try await report.checkSucceeded(JobSummary(job))
            if !global.json { Console.line(try await report.connectionDetails(JobSummary(job).nodeIDs)) }
        }
    }
}

/// What the CLI says when a followed job ends.
struct JobReport {
    let client: RPCClient

    /// Throws a ``CLIFailure`` naming the job when it FAILED, after printing each failed node's reason on stderr.
    func checkSucceeded(_ job: JobSummary) async throws {
        guard job.state != "DONE" else { return }
        for node in job.nodes {
            guard let failure = node.failure else { continue }
            let info = try? await client.call("get_node_info", kind: .get, params: ["serviceNodeId": .string(node.node)])
            let reason = info?["serviceNode"]?["reason"]?.stringValue ?? failure.message ?? "no reason given"
            Console.error("\(node.node) FAILED at \(failure.stage): \(reason)")
        }
        throw CLIFailure.jobFailed("job \(job.id) \(job.state)" + (job.message.map { ": \($0)" } ?? ""))
    }

    /// A `mariadb` command line for the writer and reader endpoints first, then for each node, with its role.
    func connectionDetails(_ nodeIDs: [String]) async throws -> String {
        var table = TextTable("NODE", "ROLE", "CONNECT WITH")
        let endpoints = try await client.call("get_service_info", kind: .get)["endpoints"]
        for name in ["writer", "reader"] {
            guard let address = endpoints?[name]?.stringValue, let colon = address.lastIndex(of: ":") else { continue }
            let host = address[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            table.add(name, name == "writer" ? "master" : "replicas", "mariadb -h \(host) -P \(address[address.index(after: colon)...]) -u USER -p")
        }
        for id in nodeIDs {
            let node = try await client.call("get_node_info", kind: .get, params: ["serviceNodeId": .string(id)])["serviceNode"] ?? .null
            let port = node["mysqld_port"]?.intValue ?? 3306
            table.add(id, roleName(node), "mariadb -h \(node["ip"]?.cell ?? "?")\(port == 3306 ? "" : " -P \(port)") -u USER -p")
        }
        return "\nConnect as a user made with `conpaassql users add USER` (replicas are read-only):\n" + table.rendered
    }
}
