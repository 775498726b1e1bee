import ArgumentParser
import JSONRPC

/// `conpaassql backups list | create | restore | delete`.
struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "Physical backups, point-in-time restore.",
        discussion: """
            Backups are taken with mariadb-backup on a replica (the master when there is none) and kept \
            in the manager's backup store; the master's binlogs are archived continuously, so a restore \
            can stop at any moment between the oldest backup and a few seconds ago.
            """,
        subcommands: [List.self, Create.self, Restore.self, Delete.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the backups and the range a restore can reach.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client in
                let result = try await client.call("list_backups", kind: .get)
                global.show(result) { result in
                    var table = TextTable("ID", "STATE", "CREATED", "NODE", "GTID", "SIZE")
                    for backup in result["backups"]?.arrayValue ?? [] {
                        table.add(
                            backup["id"]?.cell ?? "?", backup["state"]?.cell ?? "?", backup["created_at"]?.cell ?? "-", backup["node"]?.cell ?? "-",
                            backup["gtid"]?.cell ?? "-", Self.size(backup["bytes"]?.intValue ?? 0))
                    }
                    let range = result["restorable"].flatMap { $0 == .null ? nil : $0 }
                    let restorable = range.map { "restorable from \($0["from"]?.cell ?? "?") until \($0["until"]?.cell ?? "?")" } ?? "nothing to restore yet"
                    return table.rendered + "\n" + restorable
                }
            }
        }

        static func size(_ bytes: Int) -> String {
            bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : bytes >= 1 << 10 ? "\(bytes >> 10) KiB" : "\(bytes) B"
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a backup now.", discussion: "Example:\n  conpaassql backups create --wait")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Follow the backup until it ends.")
        var wait = false

        func run() async throws {
            try await global.runPromotionJob("create_backup", doing: "taking a backup", wait: wait)
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a backup into a service without nodes (new, or shut down).",
            discussion: """
                The backup's files are checked, a master is booted from it and rolled forward through the \
                binlog archive up to --until (excluded; a UTC time to the second, or a GTID); without \
                --until, up to the end of the archive. Replicas come with `conpaassql nodes add`.

                Example:
                  conpaassql backups restore 3 --until 2026-11-29T14:05:00Z --wait
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The backup's id (see `conpaassql backups list`).")
        var id: Int

        @Option(help: "Stop before this ISO-8601 UTC time or this GTID.")
        var until: String?

        @Flag(help: "Follow the restore until it ends.")
        var wait = false

        func run() async throws {
            var params: [String: JSONValue] = ["id": .int(id)]
            if let until { params["until"] = .string(until) }
            try await global.runPromotionJob("restore_backup", params: params, doing: "restoring backup \(id)", wait: wait)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a backup and its files.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The backup's id.")
        var id: Int

        func run() async throws {
            try await global.withClient { client in
                let result = try await client.call("delete_backup", params: ["id": .int(id)])
                global.show(result) { _ in "backup \(id) deleted" }
            }
        }
    }
}
