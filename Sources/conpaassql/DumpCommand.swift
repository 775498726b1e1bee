import ArgumentParser
import Foundation
import JSONRPC

/// `conpaassql dump load FILE`: loads an SQL dump on the master; replicas get it by replication.
struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump", abstract: "SQL dumps.", subcommands: [Load.self])

    /// `dump load FILE`: streamed from disk as a multipart upload.
    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load an SQL dump (mariadb-dump or mysqldump output) into the service.",
            discussion: """
                The file is streamed to the manager, which loads it on the master; replicas receive \
                the data by replication. Large dumps may take a while: the call waits up to an hour.

                Example:
                  conpaassql dump load orders.sql
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The SQL file.", completion: .file())
        var file: String

        @Option(help: "The master's node id, or all.")
        var node = "all"

        func validate() throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        }

        func run() async throws {
            let result = try await global.withClient(timeout: .seconds(3600)) { client in
                try await client.upload("send_mysqldump", params: ["serviceNodeId": node], fileField: "mysqldump", filePath: file)
            }
            global.show(result) { _ in "\(file) loaded" }
        }
    }
}
