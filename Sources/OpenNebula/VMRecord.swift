/// What the driver reads from one `<VM>` element of a VM or VM_POOL document.
public struct VMRecord: Sendable, Hashable {
    /// OpenNebula's VM id.
    public var id: Int
    public var name: String
    /// STATE (0 INIT ... 11 CLONING_FAILURE).
    public var state: Int
    /// LCM_STATE, meaningful when STATE is ACTIVE.
    public var lcmState: Int
    /// ETIME: when the VM ended (seconds since 1970), 0 while it lives.
    public var endTime: Int
    /// The IP of every NIC, in document order (a NIC without IP gives no entry).
    public var addresses: [String]

    /// A record from its parts.
    public init(id: Int, name: String, state: Int, lcmState: Int, endTime: Int = 0, addresses: [String] = []) {
        self.id = id
        self.name = name
        self.state = state
        self.lcmState = lcmState
        self.endTime = endTime
        self.addresses = addresses
    }
}
