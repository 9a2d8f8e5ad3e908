import Hummingbird
import HTTPTypes
import Atomics

/// HTTP request latency by route, method and status class, for `/metrics`
/// (`steward_http_request_duration_seconds`, a Prometheus histogram).
///
/// Recorded on every request, so it must cost next to nothing: the series are
/// made once from the router's route table, a request only looks its series
/// up in immutable dictionaries and adds to two relaxed atomic counters, and
/// the cumulative buckets are summed only when /metrics is read. (Through
/// swift-prometheus's histograms, whose lookups and records take a lock, the
/// progress endpoint lost 15 % of its throughput: docs/benchmarks.md.)
final class RequestLatency: Sendable {
    /// Upper bounds, in nanoseconds: 0.25 ms to 10 s.
    static let bounds: [UInt64] = [250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
                                   1_000_000, 2_500_000, 10_000_000].map { $0 * 1_000 }
    static let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"]

    final class Series: Sendable {
        let method: String
        let route: String
        let status: String
        /// Per bucket, not cumulative; the last one is +Inf.
        let buckets: [ManagedAtomic<UInt64>]
        let sumNanoseconds = ManagedAtomic<UInt64>(0)

        init(method: String, route: String, status: String) {
            self.method = method
            self.route = route
            self.status = status
            buckets = (0...RequestLatency.bounds.count).map { _ in ManagedAtomic(0) }
        }

        func record(_ nanoseconds: UInt64) {
            var i = 0
            while i < RequestLatency.bounds.count, nanoseconds > RequestLatency.bounds[i] { i += 1 }
            buckets[i].wrappingIncrement(ordering: .relaxed)
            sumNanoseconds.wrappingIncrement(by: nanoseconds, ordering: .relaxed)
        }
    }

    /// route -> method -> a series per status class; set once, when the
    /// router has all its routes, and read without a lock from then on.
    final class Table: Sendable {
        let routes: [String: [MethodSeries]]
        init(_ routes: [String: [MethodSeries]]) { self.routes = routes }
    }

    /// A struct, not a tuple: a tuple's type metadata is looked up at run time on every request.
    struct MethodSeries: Sendable {
        let method: HTTPRequest.Method
        let series: [Series]
    }
    private let table = ManagedAtomicLazyReference<Table>()
    /// Requests that matched no route (404s, 405s), whatever their path: paths
    /// a client makes up must not make series.
    private let unmatched = RequestLatency.classes.map { Series(method: "any", route: "unmatched", status: $0) }

    func load(routes: [(method: HTTPRequest.Method, path: String)]) {
        var table: [String: [MethodSeries]] = [:]
        for route in routes {
            table[route.path, default: []].append(MethodSeries(
                method: route.method, series: Self.classes.map { Series(method: route.method.rawValue, route: route.path, status: $0) }))
        }
        _ = self.table.storeIfNilThenLoad(Table(table))
    }

    func record(method: HTTPRequest.Method, route: String?, status: Int, nanoseconds: UInt64) {
        let index = min(max(status / 100 - 1, 0), 4)
        if let route, let methods = table.load()?.routes[route] {
            for entry in methods where entry.method == method {
                entry.series[index].record(nanoseconds)
                return
            }
            unmatched[index].record(nanoseconds)
        } else {
            unmatched[index].record(nanoseconds)
        }
    }

    /// The histogram in the Prometheus text format; series never used are left out.
    func exposition() -> String {
        let name = "steward_http_request_duration_seconds"
        var out = "# HELP \(name) Time from a request's arrival to its response head, by route, method and status class.\n"
        out += "# TYPE \(name) histogram\n"
        let routes = table.load()?.routes ?? [:]
        let all = routes.keys.sorted().flatMap { route in routes[route, default: []].flatMap(\.series) } + unmatched
        for series in all {
            let counts = series.buckets.map { $0.load(ordering: .relaxed) }
            let total = counts.reduce(0, +)
            guard total > 0 else { continue }
            let labels = "method=\"\(series.method)\",route=\"\(Self.escape(series.route))\",status=\"\(series.status)\""
            var cumulative: UInt64 = 0
            for (i, bound) in Self.bounds.enumerated() {
                cumulative += counts[i]
                out += "\(name)_bucket{\(labels),le=\"\(Double(bound) / 1e9)\"} \(cumulative)\n"
            }
            out += "\(name)_bucket{\(labels),le=\"+Inf\"} \(total)\n"
            out += "\(name)_sum{\(labels)} \(Double(series.sumNanoseconds.load(ordering: .relaxed)) / 1e9)\n"
            out += "\(name)_count{\(labels)} \(total)\n"
        }
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Times every request, outermost, so that the status is the one sent
/// (after ErrorMiddleware has turned errors into responses).
struct RequestLatencyMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let latency: RequestLatency

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = (ContinuousClock.now - start).components
        let nanoseconds = UInt64(max(0, elapsed.seconds)) * 1_000_000_000 + UInt64(max(0, elapsed.attoseconds / 1_000_000_000))
        latency.record(method: request.method, route: context.endpointPath, status: response.status.code, nanoseconds: nanoseconds)
        return response
    }
}
