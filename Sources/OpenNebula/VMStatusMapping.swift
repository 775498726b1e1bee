import ConPaaSCore

/// How the driver turns OpenNebula's STATE and LCM_STATE into the manager's
/// ``VMStatus``.
///
/// - INIT, PENDING, HOLD, CLONING: pending.
/// - ACTIVE with LCM_INIT, PROLOG*, BOOT* (not failures): booting.
/// - ACTIVE with RUNNING or any other live LCM state (migration, hotplug, snapshots): running.
/// - ACTIVE with a shutdown in progress (SHUTDOWN*, EPILOG*, CANCEL, CLEANUP*):
///   terminated when this manager asked for it, failed otherwise.
/// - FAILED (3.x), CLONING_FAILURE, every `*_FAILURE` LCM state, FAILURE (3.x),
///   UNKNOWN, STOPPED, SUSPENDED, POWEROFF, UNDEPLOYED: failed, with a reason naming the state.
/// - DONE: terminated when this manager asked for it, failed otherwise.
public enum VMStatusMapping {
    /// The status of `record` and, for failures, why.
    ///
    /// `terminationRequested` says whether this manager asked OpenNebula to end the VM.
    public static func status(of record: VMRecord, terminationRequested: Bool) -> (status: VMStatus, reason: String?) {
        let stateName = VMStateNames.state(record.state)
        let subject = "VM \(record.id)" + (record.name.isEmpty ? "" : " (\(record.name))")
        switch stateName {
        case "INIT", "PENDING", "HOLD", "CLONING":
            return (.pending, nil)
        case "ACTIVE":
            return activeStatus(of: record, subject: subject, terminationRequested: terminationRequested)
        case "DONE":
            if terminationRequested { return (.terminated, nil) }
            return (.failed, "\(subject) is DONE but this manager did not terminate it")
        default:
            return (.failed, "\(subject) is \(stateName)")
        }
    }

    private static func activeStatus(of record: VMRecord, subject: String, terminationRequested: Bool) -> (status: VMStatus, reason: String?) {
        let lcm = VMStateNames.lcmState(record.lcmState)
        if lcm.hasSuffix("FAILURE") || lcm == "UNKNOWN" || lcm.hasPrefix("LCM_STATE ") {
            return (.failed, "\(subject) is ACTIVE/\(lcm)")
        }
        if lcm == "LCM_INIT" || lcm.hasPrefix("PROLOG") || lcm.hasPrefix("BOOT") {
            return (.booting, nil)
        }
        let endingStates = ["SHUTDOWN", "EPILOG", "CANCEL", "CLEANUP"]
        if endingStates.contains(where: { lcm.hasPrefix($0) }) {
            if terminationRequested { return (.terminated, nil) }
            return (.failed, "\(subject) is ACTIVE/\(lcm) but this manager did not terminate it")
        }
        return (.running, nil)
    }

    /// The manager's view of `record`: its id, name, first NIC's address, status and reason.
    public static func info(of record: VMRecord, terminationRequested: Bool) -> VMInfo {
        let (status, reason) = status(of: record, terminationRequested: terminationRequested)
        return VMInfo(id: String(record.id), name: record.name, address: record.addresses.first, status: status, reason: reason)
    }
}
