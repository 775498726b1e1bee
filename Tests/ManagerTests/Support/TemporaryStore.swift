import Foundation
@testable import Manager

/// Runs `body` with a manager store in a fresh directory, removed afterwards;
/// `body` also gets the database's path, to open it again.
func withTemporaryStore(_ body: (ManagerStore, String) async throws -> Void) async throws {
    let directory = "/tmp/cq-store-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = "\(directory)/m.sqlite"
    try await body(try ManagerStore(path: path), path)
}
