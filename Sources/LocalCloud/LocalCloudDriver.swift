import ConPaaSCore
import Foundation
import Logging
import NIOPosix
import Synchronization

/// The built-in cloud: VM *n* is a directory, a loopback address of the
/// configured block and a process tree running the real contextualization
/// (boot hook, then `init.sh`). Booting is immediate, so a created VM is
/// `.running` at once; one that exits by itself is `.failed` with the last line
/// of its console as the reason.
///
/// All state is on disk: a new driver on the same state directory (the manager
/// restarted, even after SIGKILL) sees the same VMs, still running. One driver
/// (one process) per state directory at a time.
public final class LocalCloudDriver: CloudDriver {
    /// `"local"`.
    public let name = "local"
    /// The configuration the driver was made with.
    public let configuration: LocalCloudConfiguration
    /// The host that boots and destroys the VMs.
    public let host: LocalVMHost
    private let allocator: Mutex<VMAllocator>

    /// A driver keeping its VMs in `configuration.stateDirectory` (created if
    /// needed). Throws a ``LocalCloudError`` for an address prefix outside
    /// 127.0.0.0/8 or a missing boot hook or init script.
    public init(configuration: LocalCloudConfiguration, logger: Logger) throws {
        let block = try AddressBlock(prefix: configuration.addressPrefix)
        for (what, path) in [("boot hook", configuration.bootHook), ("init script", configuration.initScript)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw LocalCloudError("the \(what) \(path) is not a readable file")
        }
        do {
            try FileManager.default.createDirectory(
                atPath: configuration.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalCloudError("cannot create the state directory \(configuration.stateDirectory): \(error.localizedDescription)")
        }
        self.configuration = configuration
        self.host = LocalVMHost(
            stateDirectory: configuration.stateDirectory, bootHook: configuration.bootHook,
            environment: configuration.environment, logger: logger)
        self.allocator = Mutex(VMAllocator(stateDirectory: configuration.stateDirectory, block: block))
    }

    /// Boots a VM with the request's context plus `IP_PUBLIC` (its address),
    /// `VMID` (its id), `AGENT_DATA_DIR` (`<vm directory>/agent`) and
    /// `CONPAASSQL_ROLE` (`agent`), each unless the request set it; the
    /// configured init script goes in as `init.sh`. Refuses when the address
    /// block is full or a context key is not a shell variable name (before
    /// using up an id).
    public func createVM(_ request: VMRequest) async throws(CloudError) -> VMInfo {
        do {
            try ContextScript.validateKeys(request.context.keys)
        } catch {
            throw CloudError(.refused, error.message)
        }
        let reservation = try allocator.withLock { allocator throws(CloudError) in
            try allocator.reserve(present: host.records())
        }
        defer { allocator.withLock { $0.release(reservation) } }

        var context = request.context
        let defaults = [
            AgentContext.ipPublic: reservation.address,
            AgentContext.vmID: reservation.id,
            AgentContext.dataDirectory: "\(configuration.stateDirectory)/vms/\(reservation.id)/\(VMFile.agentData)",
            AgentContext.role: "agent",
        ]
        context.merge(defaults) { requested, _ in requested }
        let spec = LocalVMSpec(
            id: reservation.id, name: request.name, address: reservation.address, context: context,
            files: ["init.sh": configuration.initScript])
        do {
            try await host.boot(spec)
        } catch {
            throw CloudError(.failed, "cannot boot VM \(reservation.id): \(error)")
        }
        return VMInfo(id: reservation.id, name: request.name, address: reservation.address, status: .running)
    }

    /// The VMs whose name starts with `namePrefix`, from their directories in
    /// one pass: `.running` while any of a VM's processes lives, `.failed` once
    /// they all exited without `destroyVM`.
    public func listVMs(namePrefix: String) async throws(CloudError) -> [VMInfo] {
        let host = host
        // Directory reads, waitpid and console reads: on NIO's thread pool.
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                host.records().filter { $0.name.hasPrefix(namePrefix) }.map { record in
                    var info = VMInfo(id: record.id, name: record.name, address: record.address, status: .running)
                    if case .exited(let reason) = host.state(of: record) {
                        info.status = .failed
                        info.reason = reason
                    }
                    return info
                }
            }
        } catch {
            throw CloudError(.failed, "cannot list the local VMs: \(error)")
        }
    }

    /// Stops the VM's processes (SIGTERM, SIGKILL after 30 s) and removes its
    /// directory, freeing its address. An unknown id is not an error.
    public func destroyVM(id: String) async throws(CloudError) {
        await host.destroy(id: id)
    }

    /// SIGKILL to the VM's whole session at once (a frozen VM ignores SIGTERM until it
    /// thaws), then its directory is removed.
    public func fenceVM(id: String) async throws(CloudError) {
        await host.destroy(id: id, hard: true)
    }
}

/// How the local cloud boots its VMs and which loopback addresses it gives them.
public struct LocalCloudConfiguration: Sendable {
    /// Where the VMs' directories and the id counter live.
    public var stateDirectory: String
    /// The first three octets of the VMs' addresses: `"127.0.1"` gives
    /// 127.0.1.1 ... 127.0.1.254. Must be in 127.0.0.0/8 (loopback).
    public var addressPrefix: String
    /// The script each VM runs at boot (`contextualization/boot-hook.sh`).
    public var bootHook: String
    /// The init script copied into each VM as `init.sh` (`contextualization/agent/init.sh`).
    public var initScript: String
    /// Variables added to the boot hook's environment (see ``LocalVMHost/environment``).
    public var environment: [String: String]

    /// A configuration; `addressPrefix` defaults to `127.0.1`.
    public init(
        stateDirectory: String, addressPrefix: String = "127.0.1", bootHook: String, initScript: String,
        environment: [String: String] = [:]
    ) {
        self.stateDirectory = stateDirectory
        self.addressPrefix = addressPrefix
        self.bootHook = bootHook
        self.initScript = initScript
        self.environment = environment
    }
}
