import ConPaaSCore
import LocalCloud

/// Runs onesim's VMs for real: `--boot local` boots each VM when it enters
/// BOOT (RUNNING waits for `boot` to return; a throw makes the VM fail) and
/// stops it when it ends. With `--boot none` there is no booter and VMs are
/// data only.
public protocol SimulatedVMBooter: Sendable {
    /// Boots VM `id` named `name` on `address` (its first NIC's lease) with the
    /// CONTEXT variables OpenNebula would write into its `context.sh`.
    func boot(id: Int, name: String, address: String, context: [String: String]) async throws

    /// Stops VM `id` and removes what `boot` made; a VM never booted is ignored.
    func destroy(id: Int) async
}

/// `--boot local`: boots each onesim VM on this machine with LocalCloud's
/// ``LocalVMHost`` — a directory holding the `context.sh` OpenNebula would
/// write, and a process tree running the boot hook — so that the agent it
/// starts answers on the VM's loopback lease.
public struct LocalVMBooter: SimulatedVMBooter {
    /// The host running the VMs (its ids are `one-<VM id>`).
    public let host: LocalVMHost

    /// A booter on `host`.
    public init(host: LocalVMHost) {
        self.host = host
    }

    /// Boots with the VM's CONTEXT as it is (START_SCRIPT_BASE64 included),
    /// plus `AGENT_DATA_DIR` inside the VM's directory when the context has
    /// none: a real VM has a disk of its own, local VMs share this machine's.
    public func boot(id: Int, name: String, address: String, context: [String: String]) async throws {
        let directory = "\(host.stateDirectory)/vms/\(Self.localID(id))"
        var context = context
        if context[AgentContext.dataDirectory] == nil { context[AgentContext.dataDirectory] = "\(directory)/agent" }
        try await host.boot(LocalVMSpec(id: Self.localID(id), name: name, address: address, context: context))
    }

    /// Stops the VM's processes and removes its directory.
    public func destroy(id: Int) async {
        await host.destroy(id: Self.localID(id))
    }

    /// The LocalCloud id of onesim VM `id`.
    public static func localID(_ id: Int) -> String {
        "one-\(id)"
    }
}
