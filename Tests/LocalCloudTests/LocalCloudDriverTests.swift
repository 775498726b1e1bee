import ConPaaSCore
import Foundation
import LocalCloud
import TestSupport
import Testing

@Suite("LocalCloudDriver: VM life, restarts, the real agent init.sh")
struct LocalCloudDriverTests {
    @Test("A VM whose init exits by itself is .failed with its last console line (127.0.64.x)")
    func failedVM() async throws {
        try await Sandbox.with { sandbox in
            let failing = try sandbox.script("failing-init.sh", "#!/bin/bash\necho starting\necho 'disk on fire' >&2\necho\nexit 3\n")
            let driver = try sandbox.driver(prefix: "127.0.64", initScript: failing)
            let vm = try await driver.createVM(VMRequest(name: "agent-1", context: [:]))
            #expect(vm.status == .running)
            try await eventually("the VM's init exits") { driver.host.state(of: vm.id) != .running }
            #expect(driver.host.state(of: vm.id) == .exited(reason: "disk on fire"))
            let listed = try await driver.listVMs(namePrefix: "agent-")
            #expect(listed == [VMInfo(id: vm.id, name: "agent-1", address: "127.0.64.1", status: .failed, reason: "disk on fire")])
            try await driver.destroyVM(id: vm.id)
            #expect(try await driver.listVMs(namePrefix: "").isEmpty)
        }
    }

    @Test("A new driver on the same state directory sees the running VMs (manager restart, 127.0.65.x)")
    func restart() async throws {
        try await Sandbox.with { sandbox in
            let initScript = try sandbox.sleepingInit()
            let first = try sandbox.driver(prefix: "127.0.65", initScript: initScript)
            _ = try await first.createVM(VMRequest(name: "svc1-node-1", context: [:]))
            _ = try await first.createVM(VMRequest(name: "svc1-node-2", context: [:]))
            _ = try await first.createVM(VMRequest(name: "other-1", context: [:]))

            let second = try sandbox.driver(prefix: "127.0.65", initScript: initScript)
            #expect(try await second.listVMs(namePrefix: "svc1-") == [
                VMInfo(id: "1", name: "svc1-node-1", address: "127.0.65.1", status: .running),
                VMInfo(id: "2", name: "svc1-node-2", address: "127.0.65.2", status: .running),
            ])
            let third = try await second.createVM(VMRequest(name: "svc1-node-3", context: [:]))
            #expect(third.id == "4" && third.address == "127.0.65.4")
            try await second.destroyVM(id: "1")
            #expect(try await first.listVMs(namePrefix: "svc1-").map(\.id) == ["2", "4"])
        }
    }

    @Test("createVM runs the real boot hook and agent/init.sh with IP_PUBLIC, VMID, AGENT_DATA_DIR and the role (127.0.67.x)")
    func realAgentInit() async throws {
        try await Sandbox.with { sandbox in
            try sandbox.script("bin/conpaassql-agent", """
                #!/bin/bash
                printf '%s\\n' "$@" > "$AGENT_DATA_DIR/arguments"
                exec sleep 600
                """)
            let capture = LogRecorder()
            let driver = try sandbox.driver(prefix: "127.0.67", initScript: Sandbox.agentInit, logger: capture.logger(label: "test.driver"))
            let context = [
                "MANAGER_IP": "127.0.67.254", "MANAGER_PORT": "50000", "SERVICE_SECRET": "vm-secret-c4f3",
                "NODE_ID": "node-1", "CONPAASSQL_BIN": "\(sandbox.directory)/bin",
            ]
            let vm = try await driver.createVM(VMRequest(name: "agent-1", context: context))
            #expect(vm == VMInfo(id: "1", name: "agent-1", address: "127.0.67.1", status: .running))
            let agentData = "\(sandbox.stateDirectory)/vms/1/agent"
            try await eventually("the agent stand-in records its arguments") { FileManager.default.fileExists(atPath: "\(agentData)/arguments") }
            #expect(try String(contentsOfFile: "\(agentData)/arguments", encoding: .utf8).split(separator: "\n").map(String.init) == [
                "--address", "127.0.67.1", "--port", "60000", "--mysql-port", "3306",
                "--data-dir", "\(agentData)/node", "--secret-file", "\(agentData)/secret",
                "--manager", "http://127.0.67.254:50000", "--node-id", "node-1",
            ])
            #expect(try String(contentsOfFile: "\(agentData)/secret", encoding: .utf8) == "vm-secret-c4f3\n")
            let contextFile = try String(contentsOfFile: "\(sandbox.stateDirectory)/vms/1/context.sh", encoding: .utf8)
            for line in ["IP_PUBLIC='127.0.67.1'", "VMID='1'", "AGENT_DATA_DIR='\(agentData)'", "CONPAASSQL_ROLE='agent'"] {
                #expect(contextFile.contains("\n\(line)\n"))
            }
            #expect(try await driver.listVMs(namePrefix: "agent-").first?.status == .running)

            let refused = await #expect(throws: CloudError.self) {
                try await driver.createVM(VMRequest(name: "agent-2", context: ["bad key": "vm-secret-c4f3"]))
            }
            #expect(refused?.code == .refused)
            #expect(refused?.message.contains("vm-secret") == false)
            #expect(try await driver.createVM(VMRequest(name: "agent-2", context: [:])).id == "2", "a refused request uses no id")
            try await driver.destroyVM(id: "1")
            #expect(!capture.lines.isEmpty)
            #expect(!capture.lines.contains { $0.contains("vm-secret") })
        }
    }

    @Test("A request's own IP_PUBLIC, VMID, AGENT_DATA_DIR and CONPAASSQL_ROLE are kept (127.0.69.x)")
    func requestedContextKept() async throws {
        try await Sandbox.with { sandbox in
            let driver = try sandbox.driver(prefix: "127.0.69", initScript: try sandbox.sleepingInit())
            let requested = ["IP_PUBLIC": "127.0.69.200", "VMID": "own", "AGENT_DATA_DIR": "/tmp/own", "CONPAASSQL_ROLE": "manager"]
            _ = try await driver.createVM(VMRequest(name: "custom", context: requested))
            let contextFile = try String(contentsOfFile: "\(sandbox.stateDirectory)/vms/1/context.sh", encoding: .utf8)
            #expect(contextFile == "# Context variables generated by OpenNebula\n"
                + "AGENT_DATA_DIR='/tmp/own'\nCONPAASSQL_ROLE='manager'\nIP_PUBLIC='127.0.69.200'\nVMID='own'\n")
        }
    }
}
