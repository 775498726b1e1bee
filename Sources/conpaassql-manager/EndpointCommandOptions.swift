import ArgumentParser
import Manager

/// Options of the writer and reader endpoints (HAProxy).
struct EndpointCommandOptions: ParsableArguments {
    @Option(help: "Address of the writer and reader endpoints (default: --address).")
    var endpointAddress: String?

    @Option(help: "Port of the writer endpoint: the writable master.")
    var writerPort = 3306

    @Option(help: "Port of the reader endpoint: replicas within --reader-max-lag (the master when none).")
    var readerPort = 3307

    @Option(help: "Seconds of heartbeat lag after which a replica leaves the reader endpoint.")
    var readerMaxLag = 10

    @Flag(help: "Run no HAProxy: applications connect to the nodes' own addresses.")
    var noEndpoints = false

    /// The endpoints for a manager listening on `address`:`port`; nil with --no-endpoints.
    func options(managerAddress address: String) -> EndpointOptions? {
        noEndpoints ? nil : EndpointOptions(
            address: endpointAddress ?? address, writerPort: writerPort, readerPort: readerPort, readerMaxLag: .seconds(readerMaxLag))
    }

    /// Checks the options against the manager's own JSON-RPC `port`.
    func validate(managerPort port: Int) throws {
        guard !noEndpoints else { return }
        for (name, value) in [("--writer-port", writerPort), ("--reader-port", readerPort)] where !(1...65535).contains(value) {
            throw ValidationError("\(name) must be from 1 to 65535, not \(value)")
        }
        guard writerPort != readerPort else { throw ValidationError("--writer-port and --reader-port must differ (both \(writerPort))") }
        guard ![writerPort, readerPort].contains(port) || endpointAddress != nil else {
            throw ValidationError("the endpoints cannot use the manager's own port \(port)")
        }
        guard readerMaxLag >= 1 else { throw ValidationError("--reader-max-lag must be at least 1 second") }
        if let endpointAddress, endpointAddress.isEmpty || endpointAddress.contains(where: { $0 == " " || $0 == "\n" }) {
            throw ValidationError("--endpoint-address must be an address, not '\(endpointAddress)'")
        }
    }
}
