import Foundation
import Logging
import NIOPosix

/// Boots and destroys local "VMs": a VM is a directory `<state>/vms/<id>/`
/// holding its context (`context.sh` in OpenNebula's format and the context
/// files), `vm.json` and `console.log`, plus the process tree that
/// `/bin/bash <bootHook> <vm directory>` starts in a session of its own.
///
/// Everything is read back from the directories, so a new host on the same
/// state directory (after the manager restarted, even from SIGKILL) sees the
/// same VMs, still running. Context values are never logged.
public final class LocalVMHost: Sendable {
    /// Where the VMs' directories live (in `vms/`).
    public let stateDirectory: String
    /// The script each VM runs at boot, with the VM's directory as its argument.
    public let bootHook: String
    /// Variables added to the boot hook's environment. Besides them it only gets
    /// the manager's `PATH`, `HOME`, `USER`, `LOGNAME`, `LANG`, `LC_ALL`, `TZ`,
    /// `TMPDIR` and `LD_LIBRARY_PATH`, as a VM does not share its creator's environment.
    public let environment: [String: String]
    /// How long `destroy` waits after SIGTERM before SIGKILL.
    public let terminationGrace: Duration
    let logger: Logger

    private static let inheritedVariables = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "LD_LIBRARY_PATH"]
    private static let kernelBootID = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"

    /// A host keeping its VMs in `stateDirectory`, booting them with `bootHook`.
    public init(
        stateDirectory: String, bootHook: String, environment: [String: String] = [:],
        terminationGrace: Duration = .seconds(30), logger: Logger
    ) {
        self.stateDirectory = stateDirectory
        self.bootHook = bootHook
        self.environment = environment
        self.terminationGrace = terminationGrace
        self.logger = logger
    }

    var vmsDirectory: String { "\(stateDirectory)/vms" }
    var trashDirectory: String { "\(stateDirectory)/trash" }

    func directory(_ id: String) -> VMDirectory {
        VMDirectory(vmsDirectory: vmsDirectory, id: id)
    }

    /// Writes the VM's `context.sh` (0600) and context files, then starts the
    /// boot hook in a new session with its output in `console.log`. Answers once
    /// the process is started; it runs on after the caller (and its process) ends.
    public func boot(_ spec: LocalVMSpec) async throws {
        let contextScript = try ContextScript.render(spec.context)
        guard VMFile.isPlainName(spec.id) else { throw LocalCloudError("VM id \(spec.id.debugDescription) is not a plain name") }
        for name in spec.files.keys where !VMFile.isPlainName(name) || VMFile.reserved.contains(name) {
            throw LocalCloudError("context file name \(name.debugDescription) is not a plain file name, or is reserved")
        }
        let record = try await NIOThreadPool.singleton.runIfActive {
            try self.prepareAndStart(spec, contextScript: contextScript)
        }
        logger.info("booted VM", metadata: ["vm.id": "\(spec.id)", "vm.name": "\(spec.name)", "vm.address": "\(spec.address)", "vm.pgid": "\(record.processGroup)"])
    }

    private func prepareAndStart(_ spec: LocalVMSpec, contextScript: String) throws(LocalCloudError) -> LocalVMRecord {
        mkdir(stateDirectory, 0o700)
        mkdir(vmsDirectory, 0o700)
        let vm = directory(spec.id)
        try vm.create()
        var group: pid_t?
        do throws(LocalCloudError) {
            try vm.writePrivateFile(VMFile.context, contents: contextScript)
            for (name, source) in spec.files.sorted(by: { $0.key < $1.key }) {
                try vm.copy(source, as: name)
            }
            let leader = try VMSession.spawnLeader(
                executable: "/bin/bash", arguments: [bootHook, vm.path], environment: bootEnvironment(), outputPath: vm.consolePath)
            group = leader
            let record = LocalVMRecord(
                id: spec.id, name: spec.name, address: spec.address, processGroup: leader,
                created: Date(), kernelBootID: Self.kernelBootID)
            try vm.writeRecord(record)
            return record
        } catch {
            if let group { VMSession.signal(group, SIGKILL) }
            try? FileManager.default.removeItem(atPath: vm.path)
            throw error
        }
    }

    private func bootEnvironment() -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment.filter { Self.inheritedVariables.contains($0.key) }
        return inherited.merging(environment) { _, added in added }
    }

    /// Whether VM `id` runs, exited by itself (with the last line of its console
    /// as the reason), or does not exist.
    public func state(of id: String) -> LocalVMState {
        guard VMFile.isPlainName(id), directory(id).exists else { return .absent }
        guard let record = directory(id).readRecord() else { return .exited(reason: "the VM's boot did not finish (no vm.json)") }
        return state(of: record)
    }

    /// The state of the VM `record` describes (without reading `vm.json` again).
    func state(of record: LocalVMRecord) -> LocalVMState {
        if isAlive(record) { return .running }
        return .exited(reason: directory(record.id).lastConsoleLine() ?? "the boot hook exited without output")
    }

    private func isAlive(_ record: LocalVMRecord) -> Bool {
        record.kernelBootID == Self.kernelBootID && VMSession.isAlive(record.processGroup)
    }

    /// Every VM directory holding a `vm.json`, by id (VMs still booting have none yet).
    public func records() -> [LocalVMRecord] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: vmsDirectory)) ?? []
        return ids.filter(VMFile.isPlainName).compactMap { directory($0).readRecord() }
            .sorted { ($0.id.count, $0.id) < ($1.id.count, $1.id) }
    }
}
