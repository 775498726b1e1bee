import ArgumentParser
import Foundation

/// `conpaassql`: the command-line client of a ConPaaS SQL manager.
@main
struct ConPaaSSQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conpaassql",
        abstract: "Operate a ConPaaS SQL service (replicated MariaDB) through its manager.",
        discussion: """
            Every command talks to the manager's JSON-RPC API: --manager URL (default \
            $CONPAASSQL_MANAGER, else http://127.0.0.1:50000), with --token or $CONPAASSQL_TOKEN \
            when the manager asks for one. --json prints the manager's raw result for scripts.

            Examples:
              conpaassql service info
              conpaassql nodes add 2 --wait
              conpaassql users add shop              (asks for the password)
              conpaassql dump load orders.sql
              conpaassql nodes promote node-2 --wait
              conpaassql nodes list --json | jq '.[].ip'

            Exit codes: 0 done, 1 the manager refused the call, 3 the manager cannot be reached, \
            4 the followed job FAILED, 64 wrong usage.
            """,
        subcommands: [
            ServiceCommand.self, NodesCommand.self, UsersCommand.self, DumpCommand.self,
            PerformanceCommand.self, FailoverCommand.self, BackupsCommand.self, JobsCommand.self, ShutdownCommand.self,
        ])

    @OptionGroup var global: GlobalOptions

    /// Runs the chosen command; a ``CLIFailure`` ends the process with one line and its exit code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            Console.error("conpaassql: \(failure.message)")
            Foundation.exit(failure.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
