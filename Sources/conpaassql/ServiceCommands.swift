import ArgumentParser
import Foundation
import JSONRPC

/// `conpaassql service info`.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "The service as a whole.", subcommands: [Info.self])

    /// `service info`: state, writability, nodes by state, master, failover settings, the last failover and running jobs.
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the service's state, nodes, failover state and running jobs.",
            discussion: """
                "writes" says whether a master takes writes, and why not when none does. "epoch" rises at \
                every promotion; "semi-sync" is off when the master commits without a replica's acknowledgement, \
                so a failover may lose transactions. "last failover" is the latest failover or switchover.

                Example:
                  conpaassql service info --manager http://127.0.0.1:50000
                """)

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let info = try await global.withClient { try await $0.call("get_service_info", kind: .get) }
            global.show(info) { info in
                let byState = (info["nodes_by_state"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                    .map { "\($0.value.cell) \($0.key)" }.joined(separator: ", ")
                let jobs = (info["jobs"]?.arrayValue ?? []).map(JobSummary.init)
                let writable = info["writable"]?.boolValue == false ? "no: " + (info["reason"]?.stringValue ?? "no reason given") : "yes"
                let service = keyValueLines([
                    ("manager", global.manager),
                    ("state", info["state"]?.cell ?? "-"),
                    ("type", info["type"]?.cell ?? "-"),
                    ("nodes", (info["nodes"]?.cell ?? "0") + (byState.isEmpty ? "" : " (\(byState))")),
                    ("master", info["master"]?.cell ?? "-"),
                    ("writer", info["endpoints"]?["writer"]?.cell ?? "-"),
                    ("reader", info["endpoints"]?["reader"]?.cell ?? "-"),
                    ("writes", writable),
                    ("epoch", info["epoch"]?.cell ?? "-"),
                    ("created", info["created_at"]?.cell ?? "-"),
                ] + jobs.map { ("job \($0.id)", "\($0.kind) \($0.state) \($0.done)/\($0.total)") })
                let failover = keyValueLines([
                    ("semi-sync", info["semi_sync"]?.cell ?? "-"),
                    ("auto failover", autoFailover(info)),
                    ("last failover", promotionLine(info["last_failover"]) ?? "none"),
                ])
                return service + "\n\n" + failover
            }
        }

        /// "on", "off", or "on, held until …" while automatic failover waits after the last one.
        private func autoFailover(_ info: JSONValue) -> String {
            guard let automatic = info["auto_failover"]?.boolValue else { return "-" }
            guard automatic else { return "off" }
            return info["failover_hold_until"]?.stringValue.map { "on, held until \($0)" } ?? "on"
        }
    }
}

/// `conpaassql performance`: replication figures per node.
struct PerformanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "performance",
        abstract: "Show each running node's replication state and lag.",
        discussion: "Example:\n  conpaassql performance")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let performance = try await global.withClient { try await $0.call("get_service_performance", kind: .get) }
        global.show(performance) { performance in
            var table = TextTable("NODE", "ROLE", "STATE", "LAG (s)", "IO", "SQL", "ERROR")
            for (id, node) in (performance["nodes"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                let error = node["error"] ?? node["last_error"] ?? .null
                table.add(id, node["role"]?.stringValue == "master" ? "master" : "replica", node["state"]?.cell ?? "-", node["seconds_behind_master"]?.cell ?? "-",
                          node["io_running"]?.cell ?? "-", node["sql_running"]?.cell ?? "-", error.cell)
            }
            return table.rendered
        }
    }
}

/// `conpaassql shutdown`: destroys every node; the service ends STOPPED.
struct ShutdownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shutdown",
        abstract: "Shut the service down: every node and its data is destroyed.",
        discussion: """
            Asks for confirmation on a terminal; scripts pass --yes.

            Example:
              conpaassql shutdown --yes
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    func run() async throws {
        if !yes {
            guard isatty(STDIN_FILENO) != 0 else { throw CLIFailure.usage("shutdown destroys every node: confirm with --yes") }
            Console.error("Shut down the service at \(global.manager) and destroy all its nodes and data? [y/N] ")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw CLIFailure.usage("shutdown cancelled") }
        }
        let result = try await global.withClient { try await $0.call("shutdown") }
        global.show(result) { "shutting down (job \($0["job"]?.cell ?? "-")): the service is \($0["state"]?.cell ?? "-")" }
    }
}
