import ConPaaSCore

/// How the driver turns OpenNebula's STATE and LCM_STATE into the manager's
/// ``VMStatus``.
///
/// - INIT, PENDING, HOLD, CLONING: pending.
/// - ACTIVE with LCM_INIT, PROLOG*, BOOT* (not failures): booting.
/// - ACTIVE with RUNNING or any other live LCM state (migration, hotplug, snapshots): running.
/// - ACTIVE with a shutdown in progress (SHUTDOWN*, EPILOG*, CANCEL, CLEANUP*):
///   stopping when this manager asked for it, failed otherwise.
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
            if terminationRequested { return (.stopping, nil) }
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

/// OpenNebula's names for VM STATE and LCM_STATE numbers (the same numbering
/// from 3.x to 7.x; pyone's `VM_STATE` and `LCM_STATE` enums).
public enum VMStateNames {
    /// STATE names, indexed by number.
    static let states = [
        "INIT", "PENDING", "HOLD", "ACTIVE", "STOPPED", "SUSPENDED", "DONE", "FAILED",
        "POWEROFF", "UNDEPLOYED", "CLONING", "CLONING_FAILURE",
    ]

    /// LCM_STATE names, indexed by number.
    static let lcmStates = [
        "LCM_INIT", "PROLOG", "BOOT", "RUNNING", "MIGRATE", "SAVE_STOP", "SAVE_SUSPEND", "SAVE_MIGRATE",
        "PROLOG_MIGRATE", "PROLOG_RESUME", "EPILOG_STOP", "EPILOG", "SHUTDOWN", "CANCEL", "FAILURE",
        "CLEANUP_RESUBMIT", "UNKNOWN", "HOTPLUG", "SHUTDOWN_POWEROFF", "BOOT_UNKNOWN", "BOOT_POWEROFF",
        "BOOT_SUSPENDED", "BOOT_STOPPED", "CLEANUP_DELETE", "HOTPLUG_SNAPSHOT", "HOTPLUG_NIC",
        "HOTPLUG_SAVEAS", "HOTPLUG_SAVEAS_POWEROFF", "HOTPLUG_SAVEAS_SUSPENDED", "SHUTDOWN_UNDEPLOY",
        "EPILOG_UNDEPLOY", "PROLOG_UNDEPLOY", "BOOT_UNDEPLOY", "HOTPLUG_PROLOG_POWEROFF",
        "HOTPLUG_EPILOG_POWEROFF", "BOOT_MIGRATE", "BOOT_FAILURE", "BOOT_MIGRATE_FAILURE",
        "PROLOG_MIGRATE_FAILURE", "PROLOG_FAILURE", "EPILOG_FAILURE", "EPILOG_STOP_FAILURE",
        "EPILOG_UNDEPLOY_FAILURE", "PROLOG_MIGRATE_POWEROFF", "PROLOG_MIGRATE_POWEROFF_FAILURE",
        "PROLOG_MIGRATE_SUSPEND", "PROLOG_MIGRATE_SUSPEND_FAILURE", "BOOT_UNDEPLOY_FAILURE",
        "BOOT_STOPPED_FAILURE", "PROLOG_RESUME_FAILURE", "PROLOG_UNDEPLOY_FAILURE",
        "DISK_SNAPSHOT_POWEROFF", "DISK_SNAPSHOT_REVERT_POWEROFF", "DISK_SNAPSHOT_DELETE_POWEROFF",
        "DISK_SNAPSHOT_SUSPENDED", "DISK_SNAPSHOT_REVERT_SUSPENDED", "DISK_SNAPSHOT_DELETE_SUSPENDED",
        "DISK_SNAPSHOT", "DISK_SNAPSHOT_REVERT", "DISK_SNAPSHOT_DELETE", "PROLOG_MIGRATE_UNKNOWN",
        "PROLOG_MIGRATE_UNKNOWN_FAILURE", "DISK_RESIZE", "DISK_RESIZE_POWEROFF", "DISK_RESIZE_UNDEPLOYED",
        "HOTPLUG_NIC_POWEROFF", "HOTPLUG_RESIZE", "HOTPLUG_SAVEAS_UNDEPLOYED", "HOTPLUG_SAVEAS_STOPPED",
    ]

    /// The name of STATE `number` (`"STATE 42"` when unknown).
    public static func state(_ number: Int) -> String {
        states.indices.contains(number) ? states[number] : "STATE \(number)"
    }

    /// The name of LCM_STATE `number` (`"LCM_STATE 99"` when unknown).
    public static func lcmState(_ number: Int) -> String {
        lcmStates.indices.contains(number) ? lcmStates[number] : "LCM_STATE \(number)"
    }
}
