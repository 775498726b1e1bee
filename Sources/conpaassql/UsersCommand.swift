import ArgumentParser
import JSONRPC

/// `conpaassql users add|remove|list`: MariaDB accounts of the service.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "MariaDB accounts for applications (user@'%', on every node through replication).",
        subcommands: [Add.self, Remove.self, List.self])

    /// `users add USER`: the password comes from a prompt or stdin, never the command line.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user, or set its password.",
            discussion: """
                The password is asked twice without echo, or read from the first line of stdin with \
                --password-stdin; it never appears on the command line.

                Examples:
                  conpaassql users add shop
                  printf '%s\\n' "$PW" | conpaassql users add shop --password-stdin
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The user's name.")
        var user: String

        @Option(help: "A node id, or all (the master, replicas follow).")
        var node = "all"

        @Flag(help: "Read the password from the first line of stdin.")
        var passwordStdin = false

        func run() async throws {
            let password = passwordStdin ? try PasswordPrompt.fromStandardInput() : try PasswordPrompt.ask(for: user)
            let params: [String: JSONValue] = ["serviceNodeId": .string(node), "username": .string(user), "password": .string(password)]
            let result = try await global.withClient { try await $0.call("configure_user", params: params) }
            global.show(result) { _ in "user \(user) is ready (on \(node))" }
        }
    }

    /// `users remove USER`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Drop a user.", discussion: "Example:\n  conpaassql users remove shop")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The user's name.")
        var user: String

        @Option(help: "A node id, or all.")
        var node = "all"

        func run() async throws {
            let params: [String: JSONValue] = ["serviceNodeId": .string(node), "username": .string(user)]
            let result = try await global.withClient { try await $0.call("delete_user", params: params) }
            global.show(result) { _ in "user \(user) removed (on \(node))" }
        }
    }

    /// `users list`: each user with the nodes that have it.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users of every running node.", discussion: "Example:\n  conpaassql users list")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let result = try await global.withClient { try await $0.call("get_users", kind: .get) }
            global.show(result) { result in
                var nodesOfUser: [String: [String]] = [:]
                for (node, users) in result["users"]?.objectValue ?? [:] {
                    for user in users.arrayValue ?? [] {
                        nodesOfUser["\(user["username"]?.cell ?? "?")@\(user["location"]?.cell ?? "%")", default: []].append(node)
                    }
                }
                var table = TextTable("USER", "NODES")
                for (user, nodes) in nodesOfUser.sorted(by: { $0.key < $1.key }) { table.add(user, nodes.sorted().joined(separator: ", ")) }
                return table.rendered
            }
        }
    }
}
