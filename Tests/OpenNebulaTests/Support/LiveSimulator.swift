import Foundation
import Hummingbird
import Logging
import NIOCore
import OpenNebula
import OpenNebulaSimulator
import ServiceLifecycle
import TestSupport

/// onesim running inside the test process on 127.0.0.1 and a free port.
struct LiveSimulator: Sendable {
    /// `http://127.0.0.1:PORT/RPC2`.
    let endpoint: String
    let port: Int
    let simulator: OneSimulator
    let stateDirectory: String

    /// A client acting as oneadmin.
    var client: OpenNebulaClient {
        OpenNebulaClient(endpoint: endpoint, user: "oneadmin", password: "opennebula", timeout: .seconds(30), threadPool: testThreadPool)
    }
}

/// A logger that drops everything.
let quietLogger = Logger(label: "opennebula-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Runs onesim with `profile`, calls `body`, then stops it.
@discardableResult
func withLiveSimulator<T>(
    profile: SimulatorProfile, stateDirectory: String = temporaryDirectory(), faults: String = "",
    users: [SimulatedUser] = SimulatedUser.defaults, transitionDelay: Duration = .milliseconds(30),
    leaseRange: LeaseRange = SimulatorConfiguration.documentLeaseRange, booter: (any SimulatedVMBooter)? = nil,
    _ body: (LiveSimulator) async throws -> T
) async throws -> T {
    let configuration = SimulatorConfiguration(
        port: 0, profile: profile, stateDirectory: stateDirectory, faults: try FaultPlan(parsing: faults),
        users: users, leaseRange: leaseRange, transitionDelay: transitionDelay)
    let simulator = try OneSimulator(configuration: configuration, booter: booter, logger: quietLogger)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = buildSimulatorApplication(simulator: simulator, logger: quietLogger) { channel in
        portContinuation.yield(channel.localAddress?.port ?? 0)
        portContinuation.finish()
    }
    let live: @Sendable (Int) -> LiveSimulator = { port in
        LiveSimulator(endpoint: "http://127.0.0.1:\(port)/RPC2", port: port, simulator: simulator, stateDirectory: stateDirectory)
    }
    return try await runGracefully(app, ports: ports, logger: quietLogger) { port in try await body(live(port)) }
}

/// Files the driver reads: the repository's agent template and a small init script.
enum DriverFiles {
    /// The package's root directory.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `images/agent.template` of this repository.
    static var agentTemplate: String { repositoryRoot.appendingPathComponent("images/agent.template").path }

    /// A stand-in for `contextualization/agent/init.sh`.
    static func initScript() throws -> String {
        let path = temporaryDirectory() + "/init.sh"
        try "#!/bin/sh\necho \"agent $NODE_ID on $IP_PUBLIC\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A driver talking to `live` as `user`, sending `initScript` (default: a stand-in).
func makeDriver(
    _ live: LiveSimulator, user: String = "oneadmin", password: String = "opennebula", timeout: Duration = .seconds(30),
    initScript: String? = nil
) async throws -> OpenNebulaDriver {
    let configuration = OpenNebulaConfiguration(
        endpoint: live.endpoint, user: user, password: password, imageID: 7, networkID: 0,
        templateFile: DriverFiles.agentTemplate, cpu: 0.5, memoryMB: 512, initScript: try initScript ?? DriverFiles.initScript(),
        timeout: timeout)
    return try await OpenNebulaDriver(configuration: configuration, logger: quietLogger, threadPool: testThreadPool)
}
