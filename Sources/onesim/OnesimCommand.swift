import ArgumentParser
import CommandLineSupport
import Foundation
import Hummingbird
import LocalCloud
import Logging
import OpenNebulaSimulator

/// `onesim`: an OpenNebula XML-RPC front-end imitation for tests and demos.
@main
struct OnesimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onesim",
        abstract: "Imitate an OpenNebula front-end's XML-RPC API (one.vm.*, one.vmpool.*, one.system.version).",
        discussion: """
            Serves POST http://ADDRESS:PORT/RPC2 with the answers, error codes and VM \
            documents of the chosen release. VMs move PENDING → PROLOG → BOOT → RUNNING \
            one --transition-ms apart, with addresses from network 0 (--leases). \
            With --boot local each VM also runs --boot-hook through LocalCloud on its \
            loopback lease. The pool is kept in --state-dir.

            --faults SPEC: comma-separated rules, KIND:RATE (a share, 0 to 1)
            or KIND@ID (the VM with that id):
              allocate  one.vm.allocate fails with ALLOCATE
                        (allocate@ID: once, for the VM that would get ID)
              fail      the boot fails: ACTIVE/BOOT_FAILURE (3.8: FAILED)
              vanish    the VM leaves the pool once RUNNING
              stuck     the VM never powers off: terminate leaves it in SHUTDOWN
              slow      answers wait MS milliseconds:
                        slow:RATE:MS, or slow@ID:MS for calls about VM ID
              auth      calls get AUTHENTICATION errors (auth:RATE only)
            Example: --faults allocate:0.1,fail@3,vanish:0.05,slow:1:2500

            --users FILE: one name:password per line; the first user sees \
            every VM, like oneadmin. Default: oneadmin:opennebula.

            Example:
              onesim --port 2633 --profile 6.10 --state-dir /tmp/onesim
            """)

    /// How VMs are run.
    enum BootMode: String, ExpressibleByArgument, CaseIterable {
        /// VMs are data only.
        case none
        /// VMs are booted on this machine through LocalCloud.
        case local
    }

    @Option(help: "Address to listen on.")
    var address = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start).")
    var port = 2633

    @Option(help: "OpenNebula release to imitate: 3.8, 5.12, 6.10 or 7.0.")
    var profile: SimulatorProfile

    @Option(help: "Directory holding the VM pool across restarts.")
    var stateDir: String

    @Option(help: "How VMs run: none (data only) or local (LocalCloud VMs on loopback leases, booted with --boot-hook).")
    var boot: BootMode = .none

    @Option(help: "With --boot local: the script each VM runs with its context directory.")
    var bootHook = "contextualization/boot-hook.sh"

    @Option(help: "Failures to inject (see above).")
    var faults = ""

    @Option(help: "Users file, name:password per line.")
    var users: String?

    @Option(help: "The default network's block (default 10.0.0.0/24; 127.0.70.0/24 with --boot local).")
    var leases: String?

    @Option(help: "Milliseconds between two timed state transitions.")
    var transitionMs = 150

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard transitionMs >= 0 else { throw ValidationError("--transition-ms must not be negative") }
        guard let range = leaseRange else { throw ValidationError("--leases must be A.B.C.D/N with N from 8 to 30") }
        if boot == .local {
            guard range.isLoopback else { throw ValidationError("--boot local needs loopback leases (127.x.y.z), not \(range)") }
            guard FileManager.default.isReadableFile(atPath: bootHook) else {
                throw ValidationError("--boot-hook \(bootHook) is not a readable file")
            }
        }
    }

    /// The lease block: --leases, or the default for the boot mode.
    private var leaseRange: LeaseRange? {
        if let leases { return LeaseRange(leases) }
        return boot == .local ? SimulatorConfiguration.loopbackLeaseRange : SimulatorConfiguration.documentLeaseRange
    }

    func run() async throws {
        var logger = Logger(label: "onesim")
        logger.logLevel = logLevel
        let userList: [SimulatedUser]
        if let users {
            do {
                userList = try SimulatedUser.parse(try String(contentsOfFile: users, encoding: .utf8))
            } catch {
                throw ValidationError("--users \(users): \(error)")
            }
        } else {
            userList = SimulatedUser.defaults
        }
        let configuration = SimulatorConfiguration(
            address: address, port: port, profile: profile, stateDirectory: stateDir,
            faults: try FaultPlan(parsing: faults), users: userList, leaseRange: leaseRange!,
            transitionDelay: .milliseconds(transitionMs))
        var booter: LocalVMBooter?
        if boot == .local {
            let host = LocalVMHost(stateDirectory: "\(stateDir)/local-vms", bootHook: bootHook, logger: logger)
            booter = LocalVMBooter(host: host)
        }
        let simulator = try OneSimulator(configuration: configuration, booter: booter, logger: logger)
        let app = buildSimulatorApplication(simulator: simulator, logger: logger) { channel in
            let port = channel.localAddress?.port ?? 0
            print("onesim \(configuration.profile.version) listening on http://\(configuration.address):\(port)/RPC2")
        }
        try await app.runService()
    }
}

extension SimulatorProfile: ExpressibleByArgument {}
