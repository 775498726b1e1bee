@testable import OpenNebula
import Testing

@Suite("Reading VM and VM_POOL documents")
struct VMDocumentTests {
    private let singleNIC = """
        <VM><ID>12</ID><UID>0</UID><NAME>conpaassql-1-3</NAME><STATE>3</STATE><LCM_STATE>3</LCM_STATE><ETIME>0</ETIME>
        <TEMPLATE><CONTEXT><IP_PUBLIC><![CDATA[10.0.0.7]]></IP_PUBLIC></CONTEXT>
        <NIC><IP><![CDATA[10.0.0.7]]></IP><MAC><![CDATA[02:00:0a:00:00:07]]></MAC></NIC></TEMPLATE>
        <HISTORY_RECORDS><HISTORY><ID>99</ID><STATE>9</STATE></HISTORY></HISTORY_RECORDS></VM>
        """

    @Test func oneNIC() throws {
        let record = try VMDocument.parseVM(singleNIC)
        #expect(record == VMRecord(id: 12, name: "conpaassql-1-3", state: 3, lcmState: 3, addresses: ["10.0.0.7"]))
    }

    @Test func severalNICsInOrder() throws {
        let xml = """
            <VM><ID>1</ID><NAME>a</NAME><STATE>1</STATE><LCM_STATE>0</LCM_STATE>
            <TEMPLATE><NIC><IP>10.0.0.2</IP></NIC><NIC><NIC_ID>1</NIC_ID></NIC><NIC><IP>192.168.1.5</IP></NIC></TEMPLATE></VM>
            """
        #expect(try VMDocument.parseVM(xml).addresses == ["10.0.0.2", "192.168.1.5"])
    }

    @Test func poolsOfShortBodies() throws {
        let xml = """
            <VM_POOL><VM><ID>1</ID><NAME>a</NAME><STATE>6</STATE><LCM_STATE>0</LCM_STATE><ETIME>1700000000</ETIME>
            <TEMPLATE><NIC><IP>10.0.0.2</IP></NIC></TEMPLATE></VM>
            <VM><ID>2</ID><NAME>b</NAME><STATE>3</STATE><LCM_STATE>36</LCM_STATE><TEMPLATE/></VM></VM_POOL>
            """
        let records = try VMDocument.parsePool(xml)
        #expect(records.map(\.id) == [1, 2])
        #expect(records[0].endTime == 1_700_000_000)
        #expect(records[1].addresses.isEmpty)
        #expect(try VMDocument.parsePool("<VM_POOL/>").isEmpty)
    }

    @Test(arguments: [
        "garbage", "<VM><ID>1</ID>", "<VM_POOL></VM_POOL>", "<VM><NAME>x</NAME><STATE>1</STATE><LCM_STATE>0</LCM_STATE></VM>",
        "<VM><ID>1</ID><NAME>x</NAME><STATE>one</STATE><LCM_STATE>0</LCM_STATE></VM>",
        // A DOCTYPE inside the document is a misplaced declaration, not skipped halfway (it read as a nested <VM>).
        "<VM><!DOCTYPE VM><ID>1</ID><NAME>x</NAME><STATE>1</STATE><LCM_STATE>0</LCM_STATE></VM></VM>",
    ])
    func malformedDocumentsAreInvalidResponses(xml: String) {
        #expect(throws: OpenNebulaError.self) { try VMDocument.parseVM(xml) }
        do {
            _ = try VMDocument.parseVM(xml)
        } catch {
            #expect(error.kind == .invalidResponse)
        }
    }

    @Test func aTruncatedPoolIsInvalid() {
        #expect(throws: OpenNebulaError.self) {
            try VMDocument.parsePool("<VM_POOL><VM><ID>1</ID><NAME>a</NAME><STATE>1</STATE><LCM_STATE>0</LCM_STATE></VM>")
        }
    }

    @Test func aVMDocumentIsNotAPool() {
        #expect(throws: OpenNebulaError.self) { try VMDocument.parsePool(singleNIC) }
    }

    /// Found by `scripts/fuzz` (xmlrpc-call): FoundationXML dereferenced null on a
    /// processing instruction without data, and such an answer killed the manager.
    /// `XMLScanner`, which reads the documents now, reads them as any other (they are
    /// well-formed) and refuses a broken one.
    @Test func processingInstructionsThatCrashedXMLParser() throws {
        #expect(try VMDocument.parsePool("<VM_POOL><?x?></VM_POOL>").isEmpty)
        #expect(try VMDocument.parseVM("<?x?><VM><ID>1</ID><STATE>3</STATE><LCM_STATE>3</LCM_STATE></VM>").id == 1)
        #expect(throws: OpenNebulaError.self) { try VMDocument.parsePool("<?<?\u{FFFD}?>") }
        #expect(throws: OpenNebulaError.self) { try VMDocument.parseVM("<?<?\u{FFFD}?>") }
    }
}
