import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// Host metrics as agents send them, kept for a window (`--metrics-window-minutes`,
/// default 60) in memory: a manager restart starts a new history, and the
/// agents fill it again within one sampling interval.
final class MetricsHistory: Sendable {
    struct Point: Sendable {
        let time: Millis
        let value: Double
    }

    private let series = NIOLockedValueBox<[String: [String: [Point]]]>([:])  // host -> metric -> points
    let windowMs: Millis

    init(windowMinutes: Int) {
        windowMs = Millis(windowMinutes) * 60_000
    }

    func record(_ sample: HostSample, host: String) {
        let cutoff = sample.time - windowMs
        series.withLockedValue { all in
            for (name, value) in sample.values where HostSample.names[name] != nil && value.isFinite {
                var points = all[host, default: [:]][name, default: []]
                points.append(Point(time: sample.time, value: value))
                if let first = points.first, first.time < cutoff { points.removeAll { $0.time < cutoff } }
                all[host, default: [:]][name] = points
            }
        }
    }

    /// Points of the named metrics for the hosts, in [from, to]; with `latest`, the newest point of each host only.
    func query(names: [String], hosts: [String], from: Millis?, to: Millis?, latest: Bool) -> [String: [(Point, String)]] {
        series.withLockedValue { all in
            var out: [String: [(Point, String)]] = [:]
            for name in names {
                var list: [(Point, String)] = []
                for host in hosts {
                    let points = (all[host]?[name] ?? []).filter { p in (from.map { p.time >= $0 } ?? true) && (to.map { p.time <= $0 } ?? true) }
                    if latest {
                        if let last = points.last { list.append((last, host)) }
                    } else {
                        list += points.map { ($0, host) }
                    }
                }
                out[name] = list.sorted { ($0.0.time, $0.1) < ($1.0.time, $1.1) }
            }
            return out
        }
    }
}
