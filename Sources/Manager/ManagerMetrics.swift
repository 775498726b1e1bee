import ConPaaSCore
import Prometheus
import Synchronization

/// The manager's Prometheus metrics, served as text at `/metrics`: nodes by
/// state, replica lag, RPC calls and latency by method and outcome, cloud calls
/// by method and outcome, job durations.
final class ManagerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120),
    ]
    private static let jobBuckets: [Duration] = [.seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900)]

    /// The counter and histogram of each method and outcome, looked up once: the
    /// registry checks names, labels and help text on every lookup.
    private let rpcInstruments = Mutex<[RPCOutcomeKey: (calls: Counter, duration: DurationHistogram)]>([:])
    private struct RPCOutcomeKey: Hashable {
        let method: String
        let outcome: String
    }

    /// One finished JSON-RPC call.
    func rpcCall(method: String, outcome: String, duration: Duration) {
        let key = RPCOutcomeKey(method: method, outcome: outcome)
        let instruments = rpcInstruments.withLock { known in
            if let found = known[key] { return found }
            let made = (
                calls: registry.makeCounter(
                    descriptor: Self.descriptor("rpc_calls", "total", "JSON-RPC calls by method and outcome"),
                    labels: [("method", method), ("outcome", outcome)]),
                duration: registry.makeDurationHistogram(
                    descriptor: Self.descriptor("rpc_duration", "seconds", "JSON-RPC call latency"), labels: [("method", method)],
                    buckets: Self.latencyBuckets))
            known[key] = made
            return made
        }
        instruments.calls.increment()
        instruments.duration.record(duration)
    }

    /// One finished call to the cloud.
    func cloudCall(cloud: String, method: String, outcome: String, duration: Duration) {
        let labels = [("cloud", cloud), ("method", method), ("outcome", outcome)]
        registry.makeCounter(descriptor: Self.descriptor("cloud_calls", "total", "Cloud calls by method and outcome"), labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: Self.descriptor("cloud_duration", "seconds", "Cloud call latency"), labels: [("cloud", cloud), ("method", method)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    /// A job that ended.
    func jobFinished(kind: String, state: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.descriptor("job_duration", "seconds", "Time from a job's request to its end"),
            labels: [("kind", kind), ("state", state)], buckets: Self.jobBuckets
        ).record(duration)
    }

    /// The number of nodes in each state.
    func nodes(_ counts: [NodeState: Int]) {
        for state in NodeState.allCases {
            registry.makeGauge(descriptor: Self.descriptor("nodes", "", "Nodes by state"), labels: [("state", state.rawValue)])
                .set(Double(counts[state] ?? 0))
        }
    }

    /// A replica's lag as its heartbeat shows it.
    func replicaLag(node: String, seconds: Double) {
        registry.makeGauge(descriptor: Self.descriptor("replica_lag", "seconds", "Replica lag measured from the master's heartbeat"), labels: [("node", node)])
            .set(seconds)
    }

    /// Semi-synchronous replication on the master: 1 on, 0 off (fell back to asynchronous), -1 not applicable (no replica).
    func semiSync(_ state: String) {
        registry.makeGauge(descriptor: Self.descriptor("semi_sync", "", "Semi-sync on the master: 1 on, 0 off, -1 n/a"))
            .set(Double(state == "on" ? 1 : state == "off" ? 0 : -1))
    }

    /// A switchover or failover that ended, and how long no node took writes.
    func promotionFinished(kind: String, automatic: Bool, outcome: String, writeUnavailable: Duration?) {
        let labels = [("kind", kind), ("trigger", automatic ? "automatic" : "manual"), ("outcome", outcome)]
        registry.makeCounter(descriptor: Self.descriptor("failovers", "total", "Switchovers and failovers by kind, trigger and outcome"), labels: labels)
            .increment()
        guard let writeUnavailable else { return }
        registry.makeDurationHistogram(
            descriptor: Self.descriptor("write_unavailable", "seconds", "Time without a writable master during a switchover or failover"),
            labels: [("kind", kind)], buckets: Self.latencyBuckets
        ).record(writeUnavailable)
        registry.makeGauge(descriptor: Self.descriptor("last_write_unavailable", "seconds", "Write unavailability of the last switchover or failover"))
            .set(writeUnavailable.inSeconds)
    }

    /// A backup that ended: its duration and size, and the time of the last good one.
    func backupFinished(complete: Bool, duration: Duration, bytes: Int64, at time: Double) {
        registry.makeCounter(descriptor: Self.descriptor("backups", "total", "Backups by outcome"), labels: [("outcome", complete ? "complete" : "failed")])
            .increment()
        guard complete else { return }
        registry.makeGauge(descriptor: Self.descriptor("last_backup_duration", "seconds", "Duration of the last complete backup")).set(duration.inSeconds)
        registry.makeGauge(descriptor: Self.descriptor("last_backup_size", "bytes", "Size of the last complete backup")).set(Double(bytes))
        registry.makeGauge(descriptor: Self.descriptor("last_backup_time", "seconds", "Unix time of the last complete backup")).set(time)
    }

    /// How far behind now the binlog archive's last write is (-1: not archiving).
    func archiveDelay(seconds: Double) {
        registry.makeGauge(descriptor: Self.descriptor("archive_delay", "seconds", "Age of the binlog archive's last write (-1: not archiving)")).set(seconds)
    }

    /// The exposition text.
    func render() -> String { registry.emitToString() }

    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "conpaassql", metricName: name, unitName: unit, helpText: help)
    }
}
