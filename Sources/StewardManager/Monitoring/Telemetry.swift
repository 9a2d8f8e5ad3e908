import Hummingbird
import Prometheus
import StewardAPI
import StewardEngine

/// Prometheus metrics of the manager itself (`GET /metrics`, exposition format):
/// commands by kind and state, step and task durations, agents connected and lost.
/// HTTP latency by route is RequestLatency's, appended to this registry's output.
final class Telemetry: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    func commandEnded(_ command: Command) {
        registry.makeCounter(
            descriptor: .init(namespace: "steward", metricName: "commands", unitName: "total", helpText: "Commands that ended, by kind and state."),
            labels: [("kind", command.kind.rawValue), ("state", command.state.rawValue)]).increment()
        for step in command.steps {
            if let start = step.startedAt, let end = step.endedAt {
                registry.makeDurationHistogram(
                    descriptor: .init(namespace: "steward", metricName: "step_duration", unitName: "seconds", helpText: "Duration of steps."),
                    labels: [("state", step.state.rawValue)], buckets: Self.durationBuckets).record(.milliseconds(end - start))
            }
            for task in step.tasks {
                guard let start = task.startedAt, let end = task.endedAt else { continue }
                registry.makeDurationHistogram(
                    descriptor: .init(namespace: "steward", metricName: "task_duration", unitName: "seconds", helpText: "Duration of tasks."),
                    labels: [("operation", task.operation.rawValue), ("state", task.state.rawValue)],
                    buckets: Self.durationBuckets).record(.milliseconds(end - start))
            }
        }
    }

    func agents(connected: Int, lost: Int) {
        registry.makeGauge(descriptor: .init(namespace: "steward", metricName: "agents_connected", unitName: "hosts", helpText: "Hosts whose agent heartbeats.")).set(to: Double(connected))
        registry.makeGauge(descriptor: .init(namespace: "steward", metricName: "agents_lost", unitName: "hosts", helpText: "Hosts whose agent stopped heartbeating.")).set(to: Double(lost))
    }

    /// What SessionStore holds, by kind: flat under login traffic, or something leaks.
    func sessions(_ counts: (webSessions: Int, grants: Int, loginTickets: Int, serviceTickets: Int)) {
        let descriptor = MetricNameDescriptor(namespace: "steward", metricName: "sessions", unitName: "",
                                              helpText: "Web sessions, CAS grants and tickets held, by kind.")
        for (kind, n) in [("web", counts.webSessions), ("cas_grant", counts.grants), ("login_ticket", counts.loginTickets),
                          ("service_ticket", counts.serviceTickets)] {
            registry.makeGauge(descriptor: descriptor, labels: [("kind", kind)]).set(to: Double(n))
        }
    }
}
