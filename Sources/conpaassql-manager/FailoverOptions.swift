import ArgumentParser
import Manager

/// Options of failover, switchover and healing.
struct FailoverOptions: ParsableArguments {
    @Option(help: "Fail a dead master over without being asked: on or off.")
    var autoFailover: Switch = .on

    @Option(help: "Seconds the master must be silent (and confirmed dead by the cloud or every replica) before a failover.")
    var failoverAfter = 3

    @Option(help: "Seconds without another automatic failover after one (a failover call overrides it).")
    var failoverHold = 300

    @Option(help: "Replace a failed-over master, and a replica FAILED for --replace-after, with a new replica: on or off.")
    var heal: Switch = .on

    @Option(help: "Seconds a replica may stay FAILED before it is replaced (with --heal on).")
    var replaceAfter = 60

    @Option(help: "Most seconds a switchover's candidate may lag behind the master.")
    var switchoverMaxLag = 10

    @Option(help: "Milliseconds between two probes of every node.")
    var probeIntervalMs = 1000

    @Option(help: "Seconds fencing through the cloud may take to be confirmed by its VM list.")
    var fenceTimeout = 30

    var policy: FailoverPolicy {
        FailoverPolicy(
            automatic: autoFailover == .on, failoverAfter: .seconds(failoverAfter), hold: .seconds(failoverHold), heal: heal == .on,
            replaceAfter: .seconds(replaceAfter), switchoverMaxLag: .seconds(switchoverMaxLag), probeInterval: .milliseconds(probeIntervalMs),
            fenceTimeout: .seconds(fenceTimeout))
    }

    func validate() throws {
        guard failoverAfter >= 1 else { throw ValidationError("--failover-after must be at least 1 second") }
        guard failoverHold >= 0, replaceAfter >= 1, switchoverMaxLag >= 1, fenceTimeout >= 1 else {
            throw ValidationError("--failover-hold must be at least 0; --replace-after, --switchover-max-lag and --fence-timeout at least 1")
        }
        guard (50...60_000).contains(probeIntervalMs) else { throw ValidationError("--probe-interval-ms must be from 50 to 60000") }
    }
}

/// `on` or `off`.
enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}
