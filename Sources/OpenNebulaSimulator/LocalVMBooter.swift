import ConPaaSCore
import LocalCloud

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

    public func destroy(id: Int) async {
        await host.destroy(id: Self.localID(id))
    }

    /// The LocalCloud id of onesim VM `id`.
    public static func localID(_ id: Int) -> String {
        "one-\(id)"
    }
}
