/// Turns an allocated template into a VM, as `one.vm.allocate` does: checks
/// MEMORY and CPU, leases an address for every NIC, completes DISK and NIC,
/// splits TEMPLATE from USER_TEMPLATE and substitutes CONTEXT variables.
struct VMBuilder {
    let profile: SimulatorProfile
    let id: Int
    let user: SimulatedUser
    let now: Double

    /// The new VM; `leases` keeps the addresses it took (only when it succeeds).
    func build(_ attributes: [TemplateAttribute], hold: Bool, fate: VMFate, leases: inout LeasePool) throws(OneFailure) -> SimulatedVM {
        try checkCapacity(attributes)
        var pool = leases
        var template: [TemplateAttribute] = []
        var userTemplate: [TemplateAttribute] = []
        var name = "one-\(id)"
        var disks = 0
        var nics = 0
        for attribute in attributes {
            switch attribute {
            case .single("NAME", let value) where !value.isEmpty:
                name = value
            case .vector("DISK", let values):
                template.append(.vector(name: "DISK", values: disk(values, index: disks)))
                disks += 1
            case .vector("NIC", let values):
                template.append(.vector(name: "NIC", values: try nic(values, index: nics, leases: &pool)))
                nics += 1
            case _ where attribute.name == "VMID" || attribute.name == "TM_MAD_SYSTEM":
                break
            case _ where VMDocumentWriter.templateOrder.contains(attribute.name):
                if !template.contains(where: { $0.name == attribute.name }) { template.append(attribute) }
            default:
                if attribute.name != "NAME" { userTemplate.append(attribute) }
            }
        }
        if profile != .v3_8 { template.append(.single(name: "TM_MAD_SYSTEM", value: "ssh")) }
        template.append(.single(name: "VMID", value: String(id)))
        try substituteContext(in: &template, userTemplate: userTemplate, name: name, network: pool.networkAttributes, diskCount: disks)
        leases = pool
        let phase: VMPhase = hold ? .hold : .pending
        return SimulatedVM(
            id: id, uid: user.id, uname: user.name, name: name, phase: phase, previousPhase: phase,
            startTime: Int(now), template: template, userTemplate: userTemplate, phaseStarted: now, fate: fate)
    }

    private func checkCapacity(_ attributes: [TemplateAttribute]) throws(OneFailure) {
        let memory = attributes.first { $0.name == "MEMORY" }
        guard case .single(_, let memoryText) = memory, let megabytes = Int(memoryText), megabytes > 0 else {
            throw OneFailure.allocation("MEMORY attribute must be a positive integer value.")
        }
        let cpu = attributes.first { $0.name == "CPU" }
        guard case .single(_, let cpuText) = cpu, let cpus = Double(cpuText), cpus > 0 else {
            throw OneFailure.allocation("CPU attribute must be a positive float or integer value.")
        }
    }

    private func disk(_ values: [String: String], index: Int) -> [String: String] {
        var disk = values
        disk["DISK_ID"] = String(index)
        disk["TARGET"] = disk["TARGET"] ?? "vd" + String(UnicodeScalar(UInt8(97 + min(index, 25))))
        if let image = values["IMAGE_ID"] {
            disk["IMAGE"] = disk["IMAGE"] ?? "image-\(image)"
            disk["DATASTORE"] = "default"
            disk["DATASTORE_ID"] = "1"
            disk["TYPE"] = "FILE"
        }
        return disk
    }

    private func nic(_ values: [String: String], index: Int, leases: inout LeasePool) throws(OneFailure) -> [String: String] {
        let networkID = values["NETWORK_ID"]
        let networkName = values["NETWORK"]
        guard networkID == "0" || (networkID == nil && networkName == "default") else {
            let which = networkID ?? networkName ?? "(none)"
            throw OneFailure.allocation("Cannot get IP/MAC lease from virtual network \(which).")
        }
        let address = try leases.lease(values["IP"])
        var nic = values
        nic["IP"] = address
        nic["MAC"] = LeasePool.mac(for: address)
        nic["NETWORK"] = "default"
        nic["NETWORK_ID"] = "0"
        nic["NIC_ID"] = String(index)
        nic["AR_ID"] = "0"
        nic["BRIDGE"] = "br0"
        nic["SECURITY_GROUPS"] = "0"
        nic["TARGET"] = "one-\(id)-\(index)"
        nic["VN_MAD"] = "bridge"
        return nic
    }

    private func substituteContext(
        in template: inout [TemplateAttribute], userTemplate: [TemplateAttribute], name: String,
        network: [String: String], diskCount: Int
    ) throws(OneFailure) {
        guard let index = template.firstIndex(where: { $0.name == "CONTEXT" }),
              case .vector(_, let values) = template[index] else { return }
        let source = SubstitutionSource(
            name: name, uid: user.id, uname: user.name, template: template, userTemplate: userTemplate, network: network)
        var context: [String: String]
        do {
            context = try ContextSubstitution.substitute(values, in: source)
        } catch {
            throw OneFailure.allocation(error.detail ?? "Cannot parse CONTEXT.")
        }
        if context["NETWORK"]?.uppercased() == "YES" {
            for case .vector("NIC", let nic) in template {
                let prefix = "ETH\(nic["NIC_ID"] ?? "0")_"
                context[prefix + "IP"] = nic["IP"]
                context[prefix + "MAC"] = nic["MAC"]
                context[prefix + "MASK"] = network["NETWORK_MASK"]
                context[prefix + "GATEWAY"] = network["GATEWAY"]
                context[prefix + "DNS"] = network["DNS"]
            }
        }
        context["DISK_ID"] = String(diskCount)
        context["TARGET"] = "hda"
        template[index] = .vector(name: "CONTEXT", values: context)
    }
}
