import Foundation

/// A fresh directory under the system temporary directory.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "opennebula-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
