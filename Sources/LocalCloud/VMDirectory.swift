import Foundation

/// One VM's directory, `<state>/vms/<id>/`: its "context CD" (`context.sh` and
/// the context files), `vm.json` and `console.log`. Plain blocking file work:
/// callers run the parts that can take long (copies, removal) on the thread pool.
struct VMDirectory {
    let id: String
    let path: String

    init(vmsDirectory: String, id: String) {
        self.id = id
        self.path = "\(vmsDirectory)/\(id)"
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }
    var consolePath: String { "\(path)/\(VMFile.console)" }

    /// Creates the directory (0700: `context.sh` holds the service secret); refuses an existing one.
    func create() throws(LocalCloudError) {
        guard mkdir(path, 0o700) == 0 else {
            throw LocalCloudError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a new file `name` that only its owner can read (0600 from the start).
    func writePrivateFile(_ name: String, contents: String) throws(LocalCloudError) {
        let filePath = "\(path)/\(name)"
        let descriptor = open(filePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LocalCloudError("cannot create \(filePath): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        var remaining = Array(contents.utf8)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw LocalCloudError("cannot write \(filePath): \(String(cString: strerror(errno)))") }
            remaining = remaining.dropFirst(written)
        }
    }

    /// Copies `source` into the directory as `name`, as OpenNebula puts a `FILES` entry on the CD.
    func copy(_ source: String, as name: String) throws(LocalCloudError) {
        do {
            try FileManager.default.copyItem(atPath: source, toPath: "\(path)/\(name)")
        } catch {
            throw LocalCloudError("cannot copy \(source) into VM \(id) as \(name): \(error.localizedDescription)")
        }
    }

    func writeRecord(_ record: LocalVMRecord) throws(LocalCloudError) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(record).write(to: URL(fileURLWithPath: "\(path)/\(VMFile.record)"), options: .atomic)
        } catch {
            throw LocalCloudError("cannot write \(path)/\(VMFile.record): \(error.localizedDescription)")
        }
    }

    /// `vm.json`, or nil while the VM is still being booted (or its boot crashed).
    func readRecord() -> LocalVMRecord? {
        guard let data = FileManager.default.contents(atPath: "\(path)/\(VMFile.record)") else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(LocalVMRecord.self, from: data)
    }

    /// The last non-empty line of `console.log`, reading at most its last 4 KiB.
    func lastConsoleLine() -> String? {
        guard let handle = FileHandle(forReadingAtPath: consolePath) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: end > 4096 ? end - 4096 : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        return lines.last { !$0.allSatisfy(\.isWhitespace) }.map { String($0) }
    }

    /// Moves the directory out of `vms/` in one step (so it vanishes at once from
    /// listings), into `trash`.
    func moveToTrash(_ trash: String) throws(LocalCloudError) {
        mkdir(trash, 0o700)
        let destination = "\(trash)/\(id)-\(UInt64.random(in: 0...UInt64.max))"
        guard rename(path, destination) == 0 else {
            throw LocalCloudError("cannot move \(path) to \(destination): \(String(cString: strerror(errno)))")
        }
    }
}
