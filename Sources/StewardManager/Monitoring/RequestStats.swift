import Atomics
import Foundation
import Hummingbird

/// HTTP request latency by route, for `/metrics`, recorded without a lock:
/// the table of routes is built once from the router, and a request adds to
/// its route's atomic counters. (A locked histogram per request cost the
/// progress endpoint 15 % of its throughput.)
final class RequestStats: Sendable {
    /// Upper bounds of the latency buckets, in nanoseconds.
    static let bounds: [Int] = [100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
                                25_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000]

    final class Route: Sendable {
        let method: String
        let path: String
        let buckets = RequestStats.bounds.map { _ in ManagedAtomic<Int>(0) }
        let count = ManagedAtomic<Int>(0)
        let sumNanos = ManagedAtomic<Int>(0)
        let statusClasses = (0..<5).map { _ in ManagedAtomic<Int>(0) }

        init(method: String, path: String) {
            self.method = method
            self.path = path
        }
    }

    /// path -> method -> counters; never changed after init.
    let routes: [String: [String: Route]]

    init(routes list: [(method: String, path: String)]) {
        var table: [String: [String: Route]] = [:]
        for route in list { table[route.path, default: [:]][route.method] = Route(method: route.method, path: route.path) }
        routes = table
    }

    func record(method: String, path: String?, status: Int, nanos: Int) {
        guard let path, let route = routes[path]?[method] else { return }
        route.count.wrappingIncrement(ordering: .relaxed)
        route.sumNanos.wrappingIncrement(by: nanos, ordering: .relaxed)
        route.statusClasses[min(max(status / 100, 1), 5) - 1].wrappingIncrement(ordering: .relaxed)
        if let bucket = Self.bounds.firstIndex(where: { nanos <= $0 }) {
            route.buckets[bucket].wrappingIncrement(ordering: .relaxed)
        }
    }

    /// The Prometheus text exposition of every route that served a request.
    func exposition() -> String {
        var out = "# HELP steward_http_request_duration_seconds HTTP request latency by route.\n"
        out += "# TYPE steward_http_request_duration_seconds histogram\n"
        var totals = "# HELP steward_http_requests_total HTTP requests by route and status class.\n# TYPE steward_http_requests_total counter\n"
        for route in routes.values.flatMap(\.values).sorted(by: { ($0.path, $0.method) < ($1.path, $1.method) }) {
            let count = route.count.load(ordering: .relaxed)
            guard count > 0 else { continue }
            let labels = "method=\"\(route.method)\",route=\"\(route.path)\""
            var cumulative = 0
            for (i, bound) in Self.bounds.enumerated() {
                cumulative += route.buckets[i].load(ordering: .relaxed)
                out += "steward_http_request_duration_seconds_bucket{\(labels),le=\"\(Double(bound) / 1e9)\"} \(cumulative)\n"
            }
            out += "steward_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(count)\n"
            out += "steward_http_request_duration_seconds_sum{\(labels)} \(Double(route.sumNanos.load(ordering: .relaxed)) / 1e9)\n"
            out += "steward_http_request_duration_seconds_count{\(labels)} \(count)\n"
            for (i, counter) in route.statusClasses.enumerated() where counter.load(ordering: .relaxed) > 0 {
                totals += "steward_http_requests_total{\(labels),status=\"\(i + 1)xx\"} \(counter.load(ordering: .relaxed))\n"
            }
        }
        return out + totals
    }
}

/// Times every request by its route pattern (not its path: ids would explode the label set).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let stats: RequestStats?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let stats else { return try await next(request, context) }
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        stats.record(method: request.method.rawValue, path: context.endpointPath, status: Int(response.status.code),
                     nanos: Int(DispatchTime.now().uptimeNanoseconds &- start))
        return response
    }
}
