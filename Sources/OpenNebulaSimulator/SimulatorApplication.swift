import Hummingbird
import Logging
import NIOCore

/// Builds onesim's server for `simulator`: the XML-RPC endpoint `/RPC2` on
/// the configured address and port, and the clock that moves VMs through their
/// states. Run the result with `runService()`; `onServerRunning` receives the
/// listening channel (its local address tells the port when 0 was asked).
public func buildSimulatorApplication(
    simulator: OneSimulator, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = simulator.configuration
    let tick = min(configuration.transitionDelay / 4, .milliseconds(50))
    let clock = SimulatorClock(simulator: simulator, booter: simulator.booter, interval: max(tick, .milliseconds(5)), logger: logger)
    return Application(
        responder: XMLRPCResponder(simulator: simulator),
        configuration: .init(
            address: .hostname(configuration.address, port: configuration.port),
            serverName: "XMLRPC_ABYSS/1.51.0"),
        services: [clock],
        onServerRunning: onServerRunning,
        logger: logger)
}
