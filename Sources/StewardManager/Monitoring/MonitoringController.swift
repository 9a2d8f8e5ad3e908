import Hummingbird
import NIOCore
import StewardAPI
import StewardEngine

/// Watching the manager and its hosts: the reference's `metrics_info` over the
/// agents' host metrics, Prometheus's `/metrics`, the load balancers' `/healthz`
/// and the authenticated `ping`.
struct MonitoringController {
    typealias Context = StewardRequestContext
    /// Its topology says which hosts there are: they join and are forgotten while the manager runs.
    let cluster: ClusterState
    let history: MetricsHistory
    let hub: AgentHub
    let telemetry: Telemetry
    let latency: RequestLatency
    let sessions: SessionStore
    let passwords: HashPool
    let clock: any TimeSource

    /// `root` is the router (its own auth for `/metrics`); `api` is `/web/v1` behind authentication.
    func addRoutes(root: Router<Context>, scrape: RouterGroup<Context>, api: RouterGroup<Context>) {
        root.get("/healthz", use: healthz)
        // Prometheus scrapes with the same credentials (basic_auth in its configuration).
        scrape.get("/metrics", use: metrics)
        api.get("ping", use: ping)
        api.get("monitor/metrics_info", use: metricsInfo)
    }

    /// Liveness for load balancers: a fixed body, no state, no credentials.
    @Sendable func healthz(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: Self.okBody))
    }

    /// A trivial authenticated route with a fixed body: the benchmark's baseline.
    @Sendable func ping(_ request: Request, context: Context) async throws -> Response {
        JSONBody.response(Self.pingBody)
    }

    @Sendable func metrics(_ request: Request, context: Context) async throws -> Response {
        let lost = await hub.lostHosts().count
        let hosts = await cluster.topology.hosts.count
        telemetry.agents(connected: max(0, hosts - lost), lost: lost)
        telemetry.sessions(sessions.counts)
        let text = telemetry.registry.emitToBuffer() + Array(latency.exposition().utf8) + Array(passwords.exposition().utf8)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }

    @Sendable func metricsInfo(_ request: Request, context: Context) async throws -> Response {
        let q = request.uri.queryParameters
        let names = try Self.metricNames(q.get("metric_names"))
        let hosts = try selectedHosts(q.get("hosts"), of: await cluster.topology.hostNames)
        if let group = q.get("host_group"), !group.isEmpty {
            throw StewardError(.invalidParameter, "host_group is not available in this version (as in the reference).")
        }
        if let type = q.get("metric_node_type"), !["active", "standby", "all"].contains(type) {
            throw StewardError(.invalidParameter, "metric_node_type must be active, standby or all.")
        }
        var from = try request.number("start_time")
        let to = try request.number("end_time")
        var latest = false
        if let period = q.get("metric_period")?.uppercased() {
            switch period {
            case "REAL_TIME", "REALTIME", "REAL TIME": latest = true
            case "5MIN", "5", "30MIN", "30", "60MIN", "60":
                let minutes = Millis(period.prefix { $0.isNumber }) ?? 5
                from = max(from ?? 0, clock.now() - minutes * 60_000)
            default:
                throw StewardError(.invalidParameter, "metric_period must be REAL_TIME, 5MIN, 30MIN or 60MIN.")
            }
        }
        let data = history.query(names: names, hosts: hosts, from: from, to: to, latest: latest)
        return JSONBody.ok(MetricDatas(metricDatas: data.mapValues { list in
            list.map { MetricDatas.Point(time: $0.0.time, value: Self.text($0.0.value), node: $0.1) }
        }))
    }

    static func metricNames(_ text: String?) throws(StewardError) -> [String] {
        let known = HostSample.names.keys.sorted().joined(separator: ", ")
        guard let text, !text.isEmpty else {
            throw StewardError(.invalidParameter, "metric_names is required: up to 10 of \(known).")
        }
        let names = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard names.count <= 10 else { throw StewardError(.invalidParameter, "At most 10 metric names at a time.") }
        for name in names where HostSample.names[name] == nil {
            throw StewardError(.invalidParameter, "Unknown metric '\(name.prefix(64))'; known: \(known).")
        }
        return names
    }

    func selectedHosts(_ text: String?, of hosts: [String]) throws(StewardError) -> [String] {
        guard let text, !text.isEmpty else { return hosts }
        let selected = text.split(separator: ",").map(String.init)
        guard selected.count <= 50 else { throw StewardError(.invalidParameter, "At most 50 hosts at a time.") }
        for host in selected where !hosts.contains(host) {
            throw StewardError(.hostNotFound, "Host '\(host.prefix(64))' does not exist in the cluster.")
        }
        return selected
    }

    /// The reference types a value as STRING: integers without a decimal point.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static let okBody = ByteBuffer(string: "ok\n")
    static let pingBody = JSONBody.encode(Envelope<NoResult>())
}
