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
