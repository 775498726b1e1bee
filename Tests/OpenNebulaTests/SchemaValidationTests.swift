import ConPaaSCore
import Foundation
import OpenNebula
import OpenNebulaSimulator
import TestSupport
import Testing

/// onesim's documents against OpenNebula's own schemas, with xmllint.
@Suite("onesim documents validate against OpenNebula's XSDs")
struct SchemaValidationTests {
    /// Where OpenNebula's schemas are looked for: `$OPENNEBULA_XSD_DIR`, the
    /// repository's `docs/opennebula` or `opennebula`, then the shared design folder.
    static func schemaRoot() throws -> URL {
        var candidates = [
            DriverFiles.repositoryRoot.appendingPathComponent("docs/opennebula"),
            DriverFiles.repositoryRoot.appendingPathComponent("opennebula"),
            URL(fileURLWithPath: "/work/shared/opennebula"),
        ]
        if let directory = ProcessInfo.processInfo.environment["OPENNEBULA_XSD_DIR"] {
            candidates.insert(URL(fileURLWithPath: directory), at: 0)
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent("xsd-6.10/vm.xsd").path) }) else {
            throw TestFailure("OpenNebula's XSDs not found in \(candidates.map(\.path)); set OPENNEBULA_XSD_DIR")
        }
        return found
    }

    private func schemaDirectory(_ profile: SimulatorProfile) throws -> URL {
        try Self.schemaRoot().appendingPathComponent(profile == .v6_10 ? "xsd-6.10" : "xsd-master")
    }

    /// `xml` with OpenNebula's namespace on its root, validated by `xmllint --schema`.
    private func validate(_ xml: String, root: String, schema: URL) async throws {
        let namespaced = xml.replacingOccurrences(
            of: "<\(root)>", with: "<\(root) xmlns=\"http://opennebula.org/XMLSchema\">", options: [.anchored])
        let file = temporaryDirectory() + "/\(root).xml"
        try namespaced.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runProgram("xmllint", ["--noout", "--schema", schema.path, file])
        #expect(result.status == 0, "\(result.output)\n\(namespaced)")
    }

    /// The `<VM>` elements of an extended pool, one document each.
    private func vmBodies(of pool: String) -> [String] {
        pool.components(separatedBy: "<VM>").dropFirst().map { "<VM>" + $0.replacingOccurrences(of: "</VM_POOL>", with: "") }
    }

    @Test(arguments: [SimulatorProfile.v6_10, .v7_0])
    func documentsInEveryStateValidate(profile: SimulatorProfile) async throws {
        let schemas = try schemaDirectory(profile)
        try await withLiveSimulator(profile: profile, faults: "fail@2") { live in
            let client = live.client
            let rich = """
                NAME = "rich"
                CPU = 1
                VCPU = 2
                MEMORY = 256
                DISK = [ IMAGE_ID = 3 ]
                NIC = [ NETWORK_ID = 0 ]
                NIC = [ NETWORK = "default", IP = "10.0.0.50" ]
                GRAPHICS = [ TYPE = "vnc", LISTEN = "0.0.0.0" ]
                OS = [ ARCH = "x86_64" ]
                CONTEXT = [ NETWORK = "YES", IP_PUBLIC = "$NIC[IP]", NOTE = "a <tag> & ]] here" ]
                LABELS = "conpaassql"
                OWNER = "ops & co"

                """
            let running = try await client.allocateVM(template: rich, hold: false)
            let held = try await client.allocateVM(template: "CPU=1\nMEMORY=64\n", hold: true)
            let failing = try await client.allocateVM(template: "CPU=1\nMEMORY=64\nNIC=[NETWORK_ID=0]\n", hold: false)
            let ended = try await client.allocateVM(template: "CPU=1\nMEMORY=64\nNIC=[NETWORK_ID=0]\n", hold: false)
            #expect(running == 0 && held == 1 && failing == 2 && ended == 3)
            func phase(_ id: Int) async throws -> (Int, Int) {
                let record = try VMDocument.parseVM(try await client.vmInfo(id: id))
                return (record.state, record.lcmState)
            }
            try await eventually("each VM reaches its phase") {
                let phases = [try await phase(failing), try await phase(running), try await phase(ended)]
                return phases.map { [$0.0, $0.1] } == [[3, 36], [3, 3], [3, 3]]
            }
            try await client.vmAction("terminate-hard", id: ended)
            try await eventually("the ended VM is DONE") { try await phase(ended) == (6, 0) }
            for id in [running, held, failing, ended] {
                try await validate(try await client.vmInfo(id: id), root: "VM", schema: schemas.appendingPathComponent("vm.xsd"))
            }
            let pool = try await client.vmPoolInfo(filter: -2, state: -2)
            try await validate(pool, root: "VM_POOL", schema: schemas.appendingPathComponent("vm_pool.xsd"))
            let extended = try await client.call("one.vmpool.infoextended", [.int(-2), .int(-1), .int(-1), .int(-2)])
            let bodies = vmBodies(of: try #require(extended.stringValue))
            #expect(bodies.count == 4)
            for body in bodies {
                try await validate(body, root: "VM", schema: schemas.appendingPathComponent("vm.xsd"))
            }
        }
    }
}
