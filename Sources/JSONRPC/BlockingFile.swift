import Glibc

/// Why a file operation failed: the operation, the path (when there is one) and `errno`'s text.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public let description: String

    /// `operation` on `path` failed with the error number `code` (by default `errno`).
    public init(_ operation: String, _ path: String?, code: Int32 = errno) {
        description = "\(operation)\(path.map { " \($0)" } ?? ""): \(String(cString: strerror(code)))"
    }
}

/// An open file or pipe end, with blocking reads and writes: what Foundation's
/// `FileHandle` did here, without loading Foundation (and ICU) into the process.
///
/// Every call blocks: make them on a `NIOThreadPool`, never on Swift's cooperative
/// pool. Used by one task at a time (hence `@unchecked Sendable`); closed at the
/// latest when released.
public final class BlockingFile: @unchecked Sendable {
    /// The file descriptor, -1 once closed.
    public private(set) var descriptor: Int32

    /// Takes ownership of an open descriptor.
    public init(adopting descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Opens `path` for reading.
    public static func reading(_ path: String) throws(FileError) -> BlockingFile {
        try open(path, O_RDONLY)
    }

    /// Creates `path` (emptied if it exists) for writing, with `permissions` (less the umask) when it is new.
    public static func writing(_ path: String, permissions: mode_t = 0o666) throws(FileError) -> BlockingFile {
        try open(path, O_WRONLY | O_CREAT | O_TRUNC, permissions)
    }

    /// Opens `path` for appending, created with `permissions` (less the umask) when it is new.
    public static func appending(_ path: String, permissions: mode_t = 0o666) throws(FileError) -> BlockingFile {
        try open(path, O_WRONLY | O_CREAT | O_APPEND, permissions)
    }

    private static func open(_ path: String, _ flags: Int32, _ permissions: mode_t = 0) throws(FileError) -> BlockingFile {
        let descriptor = Glibc.open(path, flags | O_CLOEXEC, permissions)
        guard descriptor >= 0 else { throw FileError("cannot open", path) }
        return BlockingFile(adopting: descriptor)
    }

    /// A new pipe; both ends are closed in child processes unless passed on explicitly.
    public static func pipe() throws(FileError) -> (read: BlockingFile, write: BlockingFile) {
        var ends: [Int32] = [-1, -1]
        guard Glibc.pipe(&ends) == 0 else { throw FileError("cannot create a pipe", nil) }
        // (Glibc's module leaves pipe2 out; children close what they were not given anyway.)
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (BlockingFile(adopting: ends[0]), BlockingFile(adopting: ends[1]))
    }

    /// Up to `count` bytes, as one `read` returns them; empty at the end of the file.
    public func read(upTo count: Int) throws(FileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = -1
        while got < 0 {
            got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count) }
            guard got >= 0 || errno == EINTR else { throw FileError("cannot read", nil) }
        }
        bytes.removeSubrange(got...)
        return bytes
    }

    /// Up to `count` bytes from `offset` on, as one `pread` returns them (the file's
    /// own offset stays where it was); empty at the end of the file.
    public func read(at offset: Int, upTo count: Int) throws(FileError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = -1
        while got < 0 {
            got = bytes.withUnsafeMutableBytes { Glibc.pread(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard got >= 0 || errno == EINTR else { throw FileError("cannot read", nil) }
        }
        bytes.removeSubrange(got...)
        return bytes
    }

    /// The file's size in bytes.
    public func size() throws(FileError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError("cannot stat", nil) }
        return Int(info.st_size)
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if count < 0 {
                guard errno == EINTR else { throw FileError("cannot write", nil) }
                continue
            }
            written += count
        }
    }

    /// Writes all of `bytes` (throws a ``FileError``).
    public func write(contentsOf bytes: some Collection<UInt8>) throws {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { try write(UnsafeRawBufferPointer($0)) }
        if done == nil { try Array(bytes).withUnsafeBytes { try write($0) } }
    }

    /// Closes the descriptor (again: nothing).
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
