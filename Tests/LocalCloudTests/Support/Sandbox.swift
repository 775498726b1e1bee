import Foundation
import LocalCloud
import Logging
import TestSupport

/// One test's scratch directory under /tmp (short paths) with its state
/// directory, plus the repository's contextualization scripts. `with` removes
/// every VM (killing its processes) and the directory, even when the test fails.
struct Sandbox {
    /// The repository's top directory (this file is Tests/LocalCloudTests/Support/Sandbox.swift).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let bootHook = "\(repository)/contextualization/boot-hook.sh"
    static let agentInit = "\(repository)/contextualization/agent/init.sh"
    static let managerInit = "\(repository)/contextualization/manager/init.sh"

    /// The scratch directory, e.g. `/tmp/lc-Ab12Cd`.
    let directory: String
    var stateDirectory: String { "\(directory)/state" }

    private init() throws {
        var template = Array("/tmp/lc-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
    }

    /// Runs `body` with a new sandbox, then cleans it up whatever happened.
    static func with<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
        let sandbox = try Sandbox()
        do {
            let result = try await body(sandbox)
            await sandbox.cleanUp()
            return result
        } catch {
            await sandbox.cleanUp()
            throw error
        }
    }

    private func cleanUp() async {
        let host = LocalVMHost(
            stateDirectory: stateDirectory, bootHook: "/bin/true", terminationGrace: .seconds(5),
            logger: quietLogger)
        await withTaskGroup(of: Void.self) { group in
            for record in host.records() {
                group.addTask { await host.destroy(id: record.id) }
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes an executable script `name` in the sandbox; answers its path.
    @discardableResult
    func script(_ name: String, _ text: String) throws -> String {
        let path = "\(directory)/\(name)"
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// A driver on this sandbox's state directory with the addresses `prefix`.0/24.
    func driver(prefix: String, initScript: String, bootHook: String = Sandbox.bootHook, logger: Logger? = nil) throws -> LocalCloudDriver {
        let configuration = LocalCloudConfiguration(
            stateDirectory: stateDirectory, addressPrefix: prefix, bootHook: bootHook, initScript: initScript)
        return try LocalCloudDriver(configuration: configuration, logger: logger ?? quietLogger)
    }

    /// An init script that keeps running (as `sleep`) until killed.
    func sleepingInit() throws -> String {
        try script("sleeping-init.sh", "#!/bin/bash\nexec sleep 600\n")
    }
}

/// A logger that drops everything (tests that look at logs use ``LogRecorder``).
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Whether process `pid` exists and is not a zombie (an exited child of this
/// test process stays a zombie until something reaps it).
func processExists(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return false }
    return stat[afterName.upperBound...].first != "Z"
}

/// The outcome of running a script to its end.
struct ScriptRun {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// Runs `/bin/bash script arguments` with exactly `environment`, its output
    /// captured in files of `directory`; waits for it without blocking a thread.
    static func bash(_ script: String, _ arguments: [String] = [], environment: [String: String], in directory: String) async throws -> ScriptRun {
        let tag = UInt32.random(in: 0...UInt32.max)
        let outputPath = "\(directory)/stdout-\(tag)"
        let errorPath = "\(directory)/stderr-\(tag)"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        let status = try await process.runUntilExit()
        return ScriptRun(
            status: status,
            standardOutput: try String(contentsOfFile: outputPath, encoding: .utf8),
            standardError: try String(contentsOfFile: errorPath, encoding: .utf8))
    }
}
