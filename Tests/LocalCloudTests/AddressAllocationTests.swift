import ConPaaSCore
import Foundation
import LocalCloud
import Testing

@Suite("LocalCloudDriver: ids and addresses")
struct AddressAllocationTests {
    @Test("Lowest free address, reused after destroy; ids never reused (127.0.61.x)")
    func lowestFreeAddress() async throws {
        try await Sandbox.with { sandbox in
            let driver = try sandbox.driver(prefix: "127.0.61", initScript: try sandbox.sleepingInit())
            var created: [VMInfo] = []
            for index in 1...3 {
                created.append(try await driver.createVM(VMRequest(name: "agent-\(index)", context: [:])))
            }
            #expect(created.map(\.id) == ["1", "2", "3"])
            #expect(created.map(\.address) == ["127.0.61.1", "127.0.61.2", "127.0.61.3"])
            #expect(created.allSatisfy { $0.status == .running })

            try await driver.destroyVM(id: "2")
            let fourth = try await driver.createVM(VMRequest(name: "agent-4", context: [:]))
            #expect(fourth.id == "4" && fourth.address == "127.0.61.2")
            let fifth = try await driver.createVM(VMRequest(name: "agent-5", context: [:]))
            #expect(fifth.id == "5" && fifth.address == "127.0.61.4")

            try await driver.destroyVM(id: "5")
            try await driver.destroyVM(id: "5")
            try await driver.destroyVM(id: "no-such-vm")
            #expect(try await driver.listVMs(namePrefix: "agent-").map(\.id) == ["1", "3", "4"])
            #expect(try String(contentsOfFile: "\(sandbox.stateDirectory)/next-vm-id", encoding: .utf8) == "6\n")
        }
    }

    @Test("20 concurrent createVM calls, while 5 VMs are destroyed, give distinct ids and addresses (127.0.62.x)")
    func concurrentCreates() async throws {
        try await Sandbox.with { sandbox in
            let driver = try sandbox.driver(prefix: "127.0.62", initScript: try sandbox.sleepingInit())
            var first: [VMInfo] = []
            for index in 1...5 {
                first.append(try await driver.createVM(VMRequest(name: "old-\(index)", context: [:])))
            }
            let created = try await withThrowingTaskGroup(of: VMInfo?.self) { group in
                for index in 1...20 {
                    group.addTask { try await driver.createVM(VMRequest(name: "new-\(index)", context: [:])) }
                }
                for vm in first {
                    group.addTask {
                        try await driver.destroyVM(id: vm.id)
                        return nil
                    }
                }
                return try await group.reduce(into: [VMInfo]()) { if let vm = $1 { $0.append(vm) } }
            }
            #expect(created.count == 20)
            #expect(Set(created.map(\.id)).count == 20)
            #expect(Set(created.map(\.id)).isDisjoint(with: first.map(\.id)))
            #expect(Set(created.compactMap(\.address)).count == 20)
            let listed = try await driver.listVMs(namePrefix: "")
            #expect(listed.count == 20)
            #expect(Set(listed.compactMap(\.address)).count == 20)
            #expect(listed.allSatisfy { $0.status == .running })
        }
    }

    @Test("A full address block is refused: no free address in 127.0.63.0/24")
    func fullBlock() async throws {
        try await Sandbox.with { sandbox in
            // A boot hook that exits at once: an exited VM still holds its address until destroyed.
            let hook = try sandbox.script("quick-hook.sh", "#!/bin/bash\necho quick VM\n")
            let driver = try sandbox.driver(prefix: "127.0.63", initScript: hook, bootHook: hook)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 1...254 {
                    group.addTask { _ = try await driver.createVM(VMRequest(name: "vm-\(index)", context: [:])) }
                }
                try await group.waitForAll()
            }
            let error = await #expect(throws: CloudError.self) {
                try await driver.createVM(VMRequest(name: "one-too-many", context: [:]))
            }
            #expect(error == CloudError(.refused, "no free address in 127.0.63.0/24"))
            #expect(Set(try await driver.listVMs(namePrefix: "vm-").compactMap(\.address)).count == 254)

            try await driver.destroyVM(id: "100")
            let reused = try await driver.createVM(VMRequest(name: "vm-again", context: [:]))
            #expect(reused.id == "255" && reused.address == "127.0.63.100", "a refused request uses no id")
        }
    }

    @Test("Address prefixes outside loopback or not three octets are refused")
    func badPrefixes() async throws {
        try await Sandbox.with { sandbox in
            for prefix in ["10.0.1", "127.0", "127.0.1.1", "127.0.256", "127.+1.1", "127..1", ""] {
                #expect(throws: LocalCloudError.self) { try sandbox.driver(prefix: prefix, initScript: Sandbox.agentInit) }
            }
            #expect(throws: LocalCloudError.self) {
                try sandbox.driver(prefix: "127.0.68", initScript: "\(sandbox.directory)/missing-init.sh")
            }
        }
    }
}
