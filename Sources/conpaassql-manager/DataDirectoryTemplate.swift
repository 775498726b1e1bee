import Agent
import Foundation

/// The data directory every local agent VM copies at its first start instead of
/// running `mariadb-install-db` (`AGENT_DATADIR_TEMPLATE`): prepared once per
/// state directory, with the agents' own install arguments. Root has no password
/// in it; each node's first start gives root a random password of its own.
enum DataDirectoryTemplate {
    /// The template under `cloudDirectory`, prepared if it is not there yet.
    static func prepare(in cloudDirectory: String) throws -> String {
        let template = "\(cloudDirectory)/datadir-template"
        guard !FileManager.default.fileExists(atPath: "\(template)/mysql") else { return template }
        let work = "\(cloudDirectory)/datadir-template.new"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: "\(work)-tmp", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: "\(work)-tmp") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try installDB())
        process.arguments = AgentNode.installArguments(dataDirectory: work, tmpDirectory: "\(work)-tmp")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "mariadb-install-db failed preparing \(template)"])
        }
        try? FileManager.default.removeItem(atPath: template)
        try FileManager.default.moveItem(atPath: work, toPath: template)
        return template
    }

    private static func installDB() throws -> String {
        let candidates = ["/usr/bin/mariadb-install-db", "/usr/local/bin/mariadb-install-db", "/usr/sbin/mariadb-install-db"]
        guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "mariadb-install-db not found (install Debian's mariadb-server)"])
        }
        return found
    }
}
