import ConPaaSCore
import Foundation

/// Hands out VM ids and addresses. Kept in a `Mutex` by the driver, so that
/// concurrent `createVM` calls never get the same id or address.
///
/// Ids come from a counter persisted in `<state>/next-vm-id` and are never
/// reused. An address is the lowest free host of the block among the VMs whose
/// directory is present (running or exited, until destroyed) and those being
/// booted right now (they have no `vm.json` yet, so they are held here).
struct VMAllocator {
    /// A VM's id and address, reserved until ``release(_:)``.
    struct Reservation: Sendable {
        let id: String
        let address: String
    }

    let counterPath: String
    let block: AddressBlock
    private var booting: [String: String] = [:]

    init(stateDirectory: String, block: AddressBlock) {
        self.counterPath = "\(stateDirectory)/next-vm-id"
        self.block = block
    }

    /// Reserves a new id and the lowest free address, given the VMs `present`.
    mutating func reserve(present: [LocalVMRecord]) throws(CloudError) -> Reservation {
        let taken = Set((present.map(\.address) + booting.values).compactMap(block.host(of:)))
        guard let host = AddressBlock.hosts.first(where: { !taken.contains($0) }) else {
            throw CloudError(.refused, "no free address in \(block)")
        }
        let id = try nextID(present: present)
        let reservation = Reservation(id: String(id), address: block.address(host))
        booting[reservation.id] = reservation.address
        return reservation
    }

    /// Forgets a reservation once the VM's `vm.json` exists, or its boot failed.
    mutating func release(_ reservation: Reservation) {
        booting[reservation.id] = nil
    }

    /// The counter's value, never below an id in use, and stores the next one.
    private func nextID(present: [LocalVMRecord]) throws(CloudError) -> Int {
        let stored = (try? String(contentsOfFile: counterPath, encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1
        let highestInUse = (present.map(\.id) + booting.keys).compactMap { Int($0) }.max() ?? 0
        let id = max(stored, highestInUse + 1)
        do {
            try Data("\(id + 1)\n".utf8).write(to: URL(fileURLWithPath: counterPath), options: .atomic)
        } catch {
            throw CloudError(.failed, "cannot store the VM id counter in \(counterPath): \(error.localizedDescription)")
        }
        return id
    }
}

/// A /24 of loopback addresses, hosts 1 to 254.
struct AddressBlock: Sendable, CustomStringConvertible {
    static let hosts = 1...254
    let prefix: String

    /// The block `prefix.0/24`; refuses anything but three octets starting with 127.
    init(prefix: String) throws(LocalCloudError) {
        let octets = prefix.split(separator: ".", omittingEmptySubsequences: false)
        let valid = octets.count == 3 && octets.first == "127"
            && octets.allSatisfy { octet in (1...3).contains(octet.count) && octet.allSatisfy { ("0"..."9").contains($0) } && UInt8(octet) != nil }
        guard valid else {
            throw LocalCloudError("address prefix \(prefix.debugDescription) is not three octets in 127.0.0.0/8, like \"127.0.1\"")
        }
        self.prefix = prefix
    }

    var description: String { "\(prefix).0/24" }

    func address(_ host: Int) -> String { "\(prefix).\(host)" }

    /// The host number of `address` if it is in this block.
    func host(of address: String) -> Int? {
        guard address.hasPrefix(prefix + "."), let host = Int(address.dropFirst(prefix.count + 1)) else { return nil }
        return Self.hosts.contains(host) ? host : nil
    }
}
