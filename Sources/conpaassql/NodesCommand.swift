import ArgumentParser
import JSONRPC

/// `conpaassql nodes list|info|add|remove|promote|replace`.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes", abstract: "The service's MariaDB nodes: a master and its read-only replicas.",
        subcommands: [List.self, Info.self, AddNodesCommand.self, Remove.self, Promote.self, Replace.self])

    /// `nodes list`: every live node with its address, role and state.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the nodes.",
            discussion: "--json prints a JSON array of get_node_info results.\n\nExample:\n  conpaassql nodes list")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let nodes = try await global.withClient { client in
                var nodes: [JSONValue] = []
                for id in try await client.call("list_nodes", kind: .get)["conpaas-mysql"]?.arrayValue ?? [] {
                    nodes.append(try await client.call("get_node_info", kind: .get, params: ["serviceNodeId": id])["serviceNode"] ?? .null)
                }
                return JSONValue.array(nodes)
            }
            global.show(nodes) { nodes in
                var table = TextTable("ID", "ADDRESS", "ROLE", "STATE", "STAGE", "REASON")
                for node in nodes.arrayValue ?? [] {
                    table.add(node["id"]?.cell ?? "-", node["ip"]?.cell ?? "-", roleName(node), node["state"]?.cell ?? "-",
                              node["stage"]?.cell ?? "-", node["reason"]?.cell ?? "-")
                }
                return table.rendered
            }
        }
    }

    /// `nodes info ID`: everything the manager knows of one node.
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one node.", discussion: "Example:\n  conpaassql nodes info node-1")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The node's id, e.g. node-1.")
        var id: String

        func run() async throws {
            let info = try await global.withClient { try await $0.call("get_node_info", kind: .get, params: ["serviceNodeId": .string(id)]) }
            global.show(info) { info in
                let node = info["serviceNode"]?.objectValue ?? [:]
                return keyValueLines(node.sorted { $0.key < $1.key }.map { ($0.key, $0.value.cell) })
            }
        }
    }

    /// `nodes remove ID` or `nodes remove --count N`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a node by id, or --count replicas.",
            discussion: """
                The node's VM and data are destroyed; a replica's replication account is dropped on the master. \
                The master can only go when it is the last node.

                Examples:
                  conpaassql nodes remove node-3 --wait
                  conpaassql nodes remove --count 2
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The node to remove.")
        var id: String?

        @Option(help: "Remove this many replicas instead of one node by id.")
        var count: Int?

        @Flag(help: "Follow the removal until it ends.")
        var wait = false

        func validate() throws {
            guard (id == nil) != (count == nil) else { throw ValidationError("give a node id or --count, not both and not neither") }
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        }

        func run() async throws {
            let params: [String: JSONValue] = id.map { ["serviceNodeId": .string($0)] } ?? ["count": .int(count ?? 1)]
            try await global.withClient { client in
                let result = try await client.call("remove_nodes", params: params)
                let jobID = result["job"]?.intValue ?? 0
                guard wait else {
                    global.show(result) { _ in "job \(jobID): removing; follow it with: conpaassql jobs show \(jobID)" }
                    return
                }
                let job = try await JobFollower(client: client, display: JobFollower.display(quiet: global.json)).follow(jobID)
                if global.json { Console.line(job.description) }
                try await JobReport(client: client).checkSucceeded(JobSummary(job))
            }
        }
    }
}

/// "master" or "replica" for a node of `get_node_info`.
func roleName(_ node: JSONValue) -> String {
    node["role"]?.stringValue == "master" ? "master" : node["role"] == nil ? "-" : "replica"
}
