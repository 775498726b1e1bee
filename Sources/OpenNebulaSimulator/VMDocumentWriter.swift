/// Writes VM and VM_POOL documents in the profile's layout; under 6.10 and
/// 7.0 they validate against OpenNebula's `vm.xsd` and `vm_pool.xsd` (once the
/// schema namespace is added to the root).
struct VMDocumentWriter: Sendable {
    let profile: SimulatorProfile

    /// TEMPLATE children of the full body, in the schema's order; other
    /// attributes go to USER_TEMPLATE.
    static let templateOrder = [
        "CONTEXT", "CPU", "DISK", "FEATURES", "GRAPHICS", "INPUT", "MEMORY", "NIC", "OS", "RAW",
        "TM_MAD_SYSTEM", "VCPU", "VMID",
    ]

    /// `one.vm.info`'s document.
    func vm(_ vm: SimulatedVM) -> String {
        var xml = "<VM>" + identity(vm)
        let permissions = [("OWNER_U", 1), ("OWNER_M", 1), ("OWNER_A", 0), ("GROUP_U", 0), ("GROUP_M", 0), ("GROUP_A", 0), ("OTHER_U", 0), ("OTHER_M", 0), ("OTHER_A", 0)]
        xml += "<PERMISSIONS>" + permissions.map { element($0.0, $0.1) }.joined() + "</PERMISSIONS>"
        xml += element("LAST_POLL", 0) + element("STATE", vm.phase.state) + element("LCM_STATE", vm.phase.lcmState)
        if profile != .v3_8 {
            xml += element("PREV_STATE", vm.previousPhase.state) + element("PREV_LCM_STATE", vm.previousPhase.lcmState)
        }
        xml += element("RESCHED", 0) + element("STIME", vm.startTime) + element("ETIME", vm.endTime) + element("DEPLOY_ID", vm.deployID)
        if profile == .v3_8 {
            xml += element("MEMORY", 0) + element("CPU", 0) + element("NET_TX", 0) + element("NET_RX", 0)
        } else {
            xml += "<MONITORING/>"
        }
        if profile.hasBackups { xml += "<SCHED_ACTIONS/>" }
        xml += "<TEMPLATE>" + attributes(vm.template, order: Self.templateOrder) + "</TEMPLATE>"
        xml += "<USER_TEMPLATE>" + attributes(vm.userTemplate, order: nil) + "</USER_TEMPLATE>"
        xml += "<HISTORY_RECORDS>" + fullHistory(vm) + "</HISTORY_RECORDS>"
        if profile.hasBackups { xml += "<BACKUPS><BACKUP_CONFIG/><BACKUP_IDS/></BACKUPS>" }
        return xml + "</VM>"
    }

    /// `one.vmpool.info`'s document: short bodies from 5.10 on, full bodies
    /// on 3.x and for `infoextended`.
    func pool(_ vms: [SimulatedVM], extended: Bool) -> String {
        let bodies = vms.map { extended || profile == .v3_8 ? vm($0) : short($0) }
        return "<VM_POOL>" + bodies.joined() + "</VM_POOL>"
    }

    /// The short body (`VM_POOL` of `vm_pool.xsd`): the template reduced to
    /// CPU, MEMORY, VCPU, DISK, NIC and GRAPHICS.
    private func short(_ vm: SimulatedVM) -> String {
        var xml = "<VM>" + identity(vm)
        xml += element("LAST_POLL", 0) + element("STATE", vm.phase.state) + element("LCM_STATE", vm.phase.lcmState)
        xml += element("RESCHED", 0) + element("STIME", vm.startTime) + element("ETIME", vm.endTime) + element("DEPLOY_ID", vm.deployID)
        let kept: [String: Set<String>] = [
            "DISK": ["DATASTORE", "DATASTORE_ID", "DISK_ID", "IMAGE", "IMAGE_ID", "SIZE", "TARGET", "TYPE"],
            "NIC": ["IP", "MAC", "NETWORK", "NETWORK_ID", "NIC_ID", "SECURITY_GROUPS"],
        ]
        let reduced = vm.template.compactMap { attribute -> TemplateAttribute? in
            guard case .vector(let name, let values) = attribute, let keys = kept[name] else { return attribute }
            return .vector(name: name, values: values.filter { keys.contains($0.key) })
        }
        xml += "<TEMPLATE>" + attributes(reduced, order: ["CPU", "MEMORY", "VCPU", "DISK", "NIC", "GRAPHICS"], othersDropped: true) + "</TEMPLATE>"
        xml += "<MONITORING/>"
        xml += "<USER_TEMPLATE>" + attributes(vm.userTemplate, order: nil) + "</USER_TEMPLATE>"
        var history = ""
        if vm.historyStart != nil {
            history = "<HISTORY>" + element("OID", vm.id) + element("SEQ", 0) + element("HOSTNAME", "localhost") + element("HID", 0)
                + element("CID", 0) + element("DS_ID", 0) + element("VM_MAD", "kvm") + element("TM_MAD", "ssh")
                + element("ACTION", 0) + "</HISTORY>"
        }
        return xml + "<HISTORY_RECORDS>" + history + "</HISTORY_RECORDS></VM>"
    }

    private func identity(_ vm: SimulatedVM) -> String {
        element("ID", vm.id) + element("UID", vm.uid) + element("GID", 0) + element("UNAME", vm.uname)
            + element("GNAME", "oneadmin") + element("NAME", vm.name)
    }

    private func fullHistory(_ vm: SimulatedVM) -> String {
        guard let start = vm.historyStart else { return "" }
        let end = vm.phase == .done ? vm.endTime : 0
        var fields: [(String, any CustomStringConvertible)]
        if profile == .v3_8 {
            fields = [("SEQ", 0), ("HOSTNAME", "localhost"), ("HID", 0), ("STIME", start), ("ETIME", end),
                      ("VMMMAD", "vmm_kvm"), ("VNMMAD", "dummy"), ("PSTIME", start), ("PETIME", 0), ("RSTIME", 0),
                      ("RETIME", 0), ("ESTIME", 0), ("EETIME", end), ("REASON", 0)]
        } else {
            fields = [("OID", vm.id), ("SEQ", 0), ("HOSTNAME", "localhost"), ("HID", 0), ("CID", 0), ("STIME", start),
                      ("ETIME", end), ("VM_MAD", "kvm"), ("TM_MAD", "ssh"), ("DS_ID", 0)]
            if profile == .v7_0 { fields += [("PLAN_ID", -1), ("ACTION_ID", -1)] }
            fields += [("PSTIME", start), ("PETIME", 0), ("RSTIME", 0), ("RETIME", 0), ("ESTIME", 0), ("EETIME", end),
                       ("ACTION", 0), ("UID", -1), ("GID", -1), ("REQUEST_ID", "-1")]
        }
        return "<HISTORY>" + fields.map { element($0.0, $0.1) }.joined() + "</HISTORY>"
    }

    /// Template attributes as elements, values in CDATA as OpenNebula writes
    /// them; with an `order`, attributes are sorted by it (and, when
    /// `othersDropped`, those not in it are left out).
    private func attributes(_ attributes: [TemplateAttribute], order: [String]?, othersDropped: Bool = false) -> String {
        var chosen = attributes
        if let order {
            if othersDropped { chosen = chosen.filter { order.contains($0.name) } }
            chosen = chosen.enumerated().sorted { lhs, rhs in
                let left = order.firstIndex(of: lhs.element.name) ?? order.count
                let right = order.firstIndex(of: rhs.element.name) ?? order.count
                return (left, lhs.offset) < (right, rhs.offset)
            }.map(\.element)
        }
        return chosen.map { attribute in
            switch attribute {
            case .single(let name, let value):
                "<\(name)>\(XMLText.cdata(value))</\(name)>"
            case .vector(let name, let values):
                "<\(name)>" + values.sorted { $0.key < $1.key }.map { "<\($0.key)>\(XMLText.cdata($0.value))</\($0.key)>" }.joined() + "</\(name)>"
            }
        }.joined()
    }

    private func element(_ name: String, _ value: any CustomStringConvertible) -> String {
        "<\(name)>\(XMLText.escaped("\(value)"))</\(name)>"
    }
}
