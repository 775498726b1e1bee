import ConPaaSCore
import Foundation
import LocalCloud
import OpenNebula
import OpenNebulaSimulator
import TestSupport
import Testing

/// A booter whose boots always fail.
private struct BrokenBooter: SimulatedVMBooter {
    struct Failure: Error, CustomStringConvertible {
        var description: String { "no hypervisor here" }
    }

    func boot(id: Int, name: String, address: String, context: [String: String]) async throws {
        throw Failure()
    }

    func destroy(id: Int) async {}
}

/// `--boot local`: onesim VMs run the repository's boot hook through LocalCloud.
@Suite("onesim --boot local")
struct LocalBootTests {
    @Test func vmsRunTheBootHookWithOpenNebulasContext() async throws {
        let hook = DriverFiles.repositoryRoot.appendingPathComponent("contextualization/boot-hook.sh").path
        let host = LocalVMHost(stateDirectory: temporaryDirectory(), bootHook: hook, terminationGrace: .seconds(2), logger: quietLogger)
        let script = temporaryDirectory() + "/init.sh"
        try """
            #!/bin/bash
            mkdir -p "$AGENT_DATA_DIR"
            echo "$IP_PUBLIC $VMID $NODE_ID $CONPAASSQL_ROLE" > "$AGENT_DATA_DIR/marker"
            exec sleep 300

            """.write(toFile: script, atomically: true, encoding: .utf8)
        try await withLiveSimulator(profile: .v6_10, leaseRange: try #require(LeaseRange("127.0.71.0/24")), booter: LocalVMBooter(host: host)) { live in
            let driver = try await makeDriver(live, initScript: script)
            let vm = try await driver.createVM(VMRequest(name: "local-1", context: ["NODE_ID": "n1"]))
            #expect(vm.address == "127.0.71.2")
            let marker = "\(host.stateDirectory)/vms/\(LocalVMBooter.localID(0))/agent/marker"
            try await eventually("the boot hook writes its marker") { FileManager.default.fileExists(atPath: marker) }
            #expect(try String(contentsOfFile: marker, encoding: .utf8) == "127.0.71.2 0 n1 agent\n")
            try await eventually("the VM runs") { try await driver.listVMs(namePrefix: "local-").first?.status == .running }
            #expect(host.state(of: LocalVMBooter.localID(0)) == .running)
            try await driver.destroyVM(id: vm.id)
            try await eventually("the local VM is gone") { host.state(of: LocalVMBooter.localID(0)) == .absent }
        }
    }

    @Test func aFailedBootIsABootFailure() async throws {
        try await withLiveSimulator(profile: .v5_12, booter: BrokenBooter()) { live in
            let driver = try await makeDriver(live)
            let vm = try await driver.createVM(VMRequest(name: "broken-1", context: [:]))
            try await eventually("the boot failure is listed") { try await driver.listVMs(namePrefix: "broken-").first?.status == .failed }
            #expect(try await driver.listVMs(namePrefix: "broken-").first?.reason == "VM \(vm.id) (broken-1) is ACTIVE/BOOT_FAILURE")
            let document = try await live.client.vmInfo(id: 0)
            #expect(document.contains("<ERROR><![CDATA[no hypervisor here]]></ERROR>"))
        }
    }
}
