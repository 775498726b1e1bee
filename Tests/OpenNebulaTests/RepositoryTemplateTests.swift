import OpenNebula
import OpenNebulaSimulator
import Testing

@Suite("The repository's OpenNebula templates")
struct RepositoryTemplateTests {
    @Test func theManagerTemplateAllocatesWithItsContext() async throws {
        let path = DriverFiles.repositoryRoot.appendingPathComponent("images/manager.template").path
        let inputs = """
            ONE_ENDPOINT = "http://one.example:2633/RPC2"
            ONE_USER = "conpaas"
            ONE_PASSWORD = "p4ss"
            ONE_IMAGE_ID = "0"
            ONE_NETWORK_ID = "0"
            MANAGER_TOKEN = ""

            """
        let text = try String(contentsOfFile: path, encoding: .utf8) + inputs
        try await withLiveSimulator(profile: .v6_10) { live in
            let id = try await live.client.allocateVM(template: text, hold: false)
            let document = try await live.client.vmInfo(id: id)
            for fragment in [
                "<NAME>conpaassql-manager</NAME>", "<CONPAASSQL_ROLE><![CDATA[manager]]></CONPAASSQL_ROLE>",
                "<IP_PUBLIC><![CDATA[10.0.0.2]]></IP_PUBLIC>", "<ONE_PASSWORD><![CDATA[p4ss]]></ONE_PASSWORD>",
                "<ONE_ENDPOINT><![CDATA[http://one.example:2633/RPC2]]></ONE_ENDPOINT>", "<ETH0_IP><![CDATA[10.0.0.2]]></ETH0_IP>",
            ] {
                #expect(document.contains(fragment), "\(fragment)")
            }
        }
    }
}
