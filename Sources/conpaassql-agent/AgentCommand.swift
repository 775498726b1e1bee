import Agent
import ArgumentParser

/// `conpaassql-agent`: serves a node (`serve`, the default, so `conpaassql-agent --address ...`
/// as init.sh runs it) or prepares the local cloud's data directory template.
@main
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conpaassql-agent",
        abstract: "The ConPaaS SQL agent.",
        subcommands: [ServeCommand.self, PrepareTemplateCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `conpaassql-agent prepare-datadir-template DIR`: the data directory the local cloud's
/// agents copy at first start instead of running mariadb-install-db, made once, the
/// way an agent makes its own; prints its path. A manager on the local cloud runs it
/// at start, so the manager itself never links the agent (and libmariadb).
struct PrepareTemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-datadir-template",
        abstract: "Prepare (once) the data directory that local agents copy at first start, in DIR/datadir-template; print its path.")

    @Argument(help: "The directory to hold the template.")
    var directory: String

    func run() async throws {
        print(try await AgentNode.prepareDataDirectoryTemplate(in: directory))
    }
}
