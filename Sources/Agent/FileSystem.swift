import FoundationEssentials
import Glibc
import JSONRPC
import NIOPosix

/// The few file operations the agent needs, with its permission rules.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    static func createDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to a temporary file beside `path`, then renames it into place.
    /// `privateFile` makes it 0600 before any byte is written.
    static func writeAtomically(_ contents: String, to path: String, privateFile: Bool = false) throws {
        let temporary = "\(path).tmp-\(UInt32.random(in: 0...UInt32.max))"
        let handle: BlockingFile
        do {
            handle = try BlockingFile.writing(temporary, permissions: privateFile ? 0o600 : 0o666)
        } catch {
            throw AgentError.internalFailure("cannot create \(temporary): \(error)")
        }
        do {
            try handle.write(contentsOf: contents.utf8)
            guard fsync(handle.descriptor) == 0 else { throw AgentError.internalFailure("cannot sync \(temporary): errno \(errno)") }
            handle.close()
            if rename(temporary, path) != 0 {
                throw AgentError.internalFailure("cannot rename \(temporary) to \(path): errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes `paths` (data directories, backup scratch: gigabytes) on `threadPool`.
    static func remove(on threadPool: NIOThreadPool, _ paths: String...) async {
        try? await threadPool.runIfActive { for path in paths { remove(path) } }
    }

    static func size(_ path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }
}
