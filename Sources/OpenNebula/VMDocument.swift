import ConPaaSCore
import Foundation

/// Reads the VM documents `one.vm.info` and `one.vmpool.info` return, in every
/// version's shape (full or short bodies, one NIC or several).
public enum VMDocument {
    /// The VM of a `<VM>` document.
    public static func parseVM(_ xml: String) throws(OpenNebulaError) -> VMRecord {
        let records = try read(xml, root: "VM")
        guard let record = records.first else { throw invalid("the VM document holds no VM") }
        return record
    }

    /// Every VM of a `<VM_POOL>` document.
    public static func parsePool(_ xml: String) throws(OpenNebulaError) -> [VMRecord] {
        try read(xml, root: "VM_POOL")
    }

    private static func read(_ xml: String, root: String) throws(OpenNebulaError) -> [VMRecord] {
        let bytes = Array(xml.utf8)
        var scanner = XMLScanner(bytes)
        var reader = VMDocumentReader(root: root)
        while true {
            let event: XMLScanner.Event?
            do {
                event = try scanner.next()
            } catch {
                throw invalid("the \(root) document is not well-formed XML (line \(error.line)): \(error.reason)")
            }
            guard let event else { return reader.records }
            if let problem = reader.read(event) { throw invalid(problem) }
        }
    }

    private static func invalid(_ message: String) -> OpenNebulaError {
        OpenNebulaError(.invalidResponse, message: message)
    }
}

/// Collects ID, NAME, STATE, LCM_STATE, ETIME and TEMPLATE/NIC/IP of each VM
/// element, by path, so that HISTORY or MONITORING fields of the same name never
/// leak in.
private struct VMDocumentReader {
    let root: String
    private(set) var records: [VMRecord] = []
    private var path: [String] = []
    private var fields: [String: String] = [:]
    private var addresses: [String] = []
    private var text = ""

    /// Depth of `<VM>` elements: the root itself, or the root's children in a pool.
    private var vmDepth: Int { root == "VM" ? 1 : 2 }

    init(root: String) {
        self.root = root
    }

    /// Takes in the next event of a well-formed document; answers what is wrong with it, if anything.
    mutating func read(_ event: XMLScanner.Event) -> String? {
        switch event {
        case .start(let name):
            path.append(name)
            text = ""
            if path.count == 1, name != root { return "expected a <\(root)> document, got <\(name)>" }
            if path.count == vmDepth, name == "VM" {
                fields = [:]
                addresses = []
            }
            return nil
        case .text(let string):
            text += string
            return nil
        case .end:
            defer {
                path.removeLast()
                text = ""
            }
            return endElement()
        }
    }

    private mutating func endElement() -> String? {
        guard path.count >= vmDepth, path[vmDepth - 1] == "VM" else { return nil }
        let relative = path.dropFirst(vmDepth).joined(separator: "/")
        switch relative {
        case "":
            return finishVM()
        case "ID", "NAME", "STATE", "LCM_STATE", "ETIME":
            fields[relative] = text.trimmingCharacters(in: .whitespacesAndNewlines)
        case "TEMPLATE/NIC/IP":
            let address = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !address.isEmpty { addresses.append(address) }
        default:
            break
        }
        return nil
    }

    private mutating func finishVM() -> String? {
        guard let id = fields["ID"].flatMap({ Int($0) }) else { return "a VM element has no numeric ID" }
        guard let state = fields["STATE"].flatMap({ Int($0) }), let lcmState = fields["LCM_STATE"].flatMap({ Int($0) }) else {
            return "VM \(id) has no numeric STATE and LCM_STATE"
        }
        let endTime = fields["ETIME"].flatMap { Int($0) } ?? 0
        records.append(VMRecord(id: id, name: fields["NAME"] ?? "", state: state, lcmState: lcmState, endTime: endTime, addresses: addresses))
        return nil
    }
}

/// What the driver reads from one `<VM>` element of a VM or VM_POOL document.
public struct VMRecord: Sendable, Hashable {
    /// OpenNebula's VM id.
    public var id: Int
    /// NAME.
    public var name: String
    /// STATE (0 INIT ... 11 CLONING_FAILURE).
    public var state: Int
    /// LCM_STATE, meaningful when STATE is ACTIVE.
    public var lcmState: Int
    /// ETIME: when the VM ended (seconds since 1970), 0 while it lives.
    public var endTime: Int
    /// The IP of every NIC, in document order (a NIC without IP gives no entry).
    public var addresses: [String]

    /// A record from its parts.
    public init(id: Int, name: String, state: Int, lcmState: Int, endTime: Int = 0, addresses: [String] = []) {
        self.id = id
        self.name = name
        self.state = state
        self.lcmState = lcmState
        self.endTime = endTime
        self.addresses = addresses
    }
}
