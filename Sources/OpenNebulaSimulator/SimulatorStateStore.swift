import Foundation

/// What onesim keeps in its state directory.
struct PersistedPool: Codable, Sendable {
    /// The id the next VM gets (ids are never reused).
    var nextID: Int
    var vms: [SimulatedVM]
}

/// Reads and writes `onesim-state.json` in the state directory (written to a
/// temporary file, then renamed).
struct SimulatorStateStore: Sendable {
    let file: URL

    init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        file = URL(fileURLWithPath: directory).appendingPathComponent("onesim-state.json")
    }

    /// The saved pool, or nil when none was saved yet.
    func load() throws -> PersistedPool? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try JSONDecoder().decode(PersistedPool.self, from: Data(contentsOf: file))
    }

    func save(_ pool: PersistedPool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(pool).write(to: file, options: .atomic)
    }
}
