import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// Host metrics as agents send them, kept for a window (`--metrics-window-minutes`,
/// default 60) in memory: a manager restart starts a new history, and the
/// agents fill it again within one sampling interval.
///
/// A host's samples share one time each and keep their values as `Float` in
/// the fixed order of `HostSample.names`: 48 bytes a sample, where a point per
/// metric took 160 (an hour at 5 s: 34 KiB a host, not 113). Samples are
/// appended in place and expire from the front, so recording costs the same
/// with the window full as empty.
final class MetricsHistory: Sendable {
    struct Point: Sendable {
        let time: Millis
        let value: Double
    }

    /// The metrics' order in a sample's values.
    static let names = HostSample.names.keys.sorted()
    static let column = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

    /// One host's samples, oldest first from `start`.
    struct Series: Sendable {
        var times: [Millis] = []
        /// `names.count` values a sample; NaN where the sample lacked the metric.
        var values: [Float] = []
        var start = 0

        var count: Int { times.count - start }

        mutating func append(_ sample: HostSample) {
            times.append(sample.time)
            var row = [Float](repeating: .nan, count: MetricsHistory.names.count)
            for (name, value) in sample.values where Float(value).isFinite {
                if let c = MetricsHistory.column[name] { row[c] = Float(value) }
            }
            values += row
        }

        mutating func expire(before cutoff: Millis) {
            while start < times.count, times[start] < cutoff { start += 1 }
            // Compacted once half is expired: amortised constant per sample.
            if start > 64, start * 2 > times.count {
                times.removeFirst(start)
                values.removeFirst(start * MetricsHistory.names.count)
                start = 0
            }
        }

        func point(_ i: Int, column c: Int) -> Point? {
            let v = values[i * MetricsHistory.names.count + c]
            // Through the Float's shortest text, so that 45.67 reads back as
            // 45.67, not 45.66999816894531 (agents round to two decimals).
            return v.isNaN ? nil : Point(time: times[i], value: Double(v.description) ?? Double(v))
        }
    }

    private let series = NIOLockedValueBox<[String: Series]>([:])  // host -> samples
    let windowMs: Millis

    init(windowMinutes: Int) {
        windowMs = Millis(windowMinutes) * 60_000
    }

    func record(_ sample: HostSample, host: String) {
        series.withLockedValue { all in
            all[host, default: Series()].append(sample)
            all[host]?.expire(before: sample.time - windowMs)
        }
    }

    /// Points of the named metrics for the hosts, in [from, to]; with `latest`, the newest point of each host only.
    func query(names: [String], hosts: [String], from: Millis?, to: Millis?, latest: Bool) -> [String: [(Point, String)]] {
        series.withLockedValue { all in
            var out: [String: [(Point, String)]] = [:]
            for name in names {
                guard let c = Self.column[name] else { out[name] = []; continue }
                var list: [(Point, String)] = []
                for host in hosts {
                    guard let s = all[host] else { continue }
                    var points: [Point] = []
                    for i in s.start..<s.times.count {
                        let t = s.times[i]
                        guard from.map({ t >= $0 }) ?? true, to.map({ t <= $0 }) ?? true, let p = s.point(i, column: c) else { continue }
                        points.append(p)
                    }
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
