import ConPaaSCore
import Prometheus

/// The manager's Prometheus metrics, served as text at `/metrics`: nodes by
/// state, replica lag, RPC calls and latency by method and outcome, cloud calls
/// by method and outcome, job durations.
final class ManagerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30), .seconds(120),
    ]
    private static let jobBuckets: [Duration] = [.seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900)]

    /// One finished JSON-RPC call.
    func rpcCall(method: String, outcome: String, duration: Duration) {
        let labels = [("method", method), ("outcome", outcome)]
        registry.makeCounter(descriptor: Self.descriptor("rpc_calls", "total", "JSON-RPC calls by method and outcome"), labels: labels).increment()
        registry.makeDurationHistogram(
            descriptor: Self.descriptor("rpc_duration", "seconds", "JSON-RPC call latency"), labels: [("method", method)], buckets: Self.latencyBuckets
        ).record(duration)
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

    /// The exposition text.
    func render() -> String { registry.emitToString() }

    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "conpaassql", metricName: name, unitName: unit, helpText: help)
    }
}
