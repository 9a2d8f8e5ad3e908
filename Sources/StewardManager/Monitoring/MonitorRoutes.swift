import Hummingbird
import StewardEngine
import StewardStore

/// `GET /web/v1/monitor/metrics_info` (reference) over the agents' host metrics.
extension Manager {
    struct MetricDatas: Codable, Sendable {
        struct Point: Codable, Sendable {
            let time: Millis
            let value: String
            let node: String
        }
        let metricDatas: [String: [Point]]
        enum CodingKeys: String, CodingKey { case metricDatas = "metric_datas" }
    }

    func addMonitorRoutes(to api: RouterGroup<StewardRequestContext>) {
        api.get("monitor/metrics_info") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard let namesText = q.get("metric_names"), !namesText.isEmpty else {
                throw StewardError(.invalidParameter, "metric_names is required: up to 10 of " + HostSample.names.keys.sorted().joined(separator: ", ") + ".")
            }
            let names = namesText.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard names.count <= 10 else { throw StewardError(.invalidParameter, "At most 10 metric names at a time.") }
            for name in names where HostSample.names[name] == nil {
                throw StewardError(.invalidParameter, "Unknown metric '\(name.prefix(64))'; known: " + HostSample.names.keys.sorted().joined(separator: ", ") + ".")
            }
            var hosts = self.stack.cluster.hosts
            if let list = q.get("hosts"), !list.isEmpty {
                hosts = list.split(separator: ",").map(String.init)
                guard hosts.count <= 50 else { throw StewardError(.invalidParameter, "At most 50 hosts at a time.") }
                for host in hosts where !self.stack.cluster.hosts.contains(host) {
                    throw StewardError(.hostNotFound, "Host '\(host.prefix(64))' does not exist in the cluster.")
                }
            }
            if let group = q.get("host_group"), !group.isEmpty {
                throw StewardError(.invalidParameter, "host_group is not available in this version (as in the reference).")
            }
            if let type = q.get("metric_node_type"), !["active", "standby", "all"].contains(type) {
                throw StewardError(.invalidParameter, "metric_node_type must be active, standby or all.")
            }
            var from = try Self.number(q.get("start_time"), "start_time")
            let to = try Self.number(q.get("end_time"), "end_time")
            var latest = false
            if let period = q.get("metric_period")?.uppercased() {
                switch period {
                case "REAL_TIME", "REALTIME", "REAL TIME": latest = true
                case "5MIN", "5", "30MIN", "30", "60MIN", "60":
                    let minutes = Millis(period.prefix { $0.isNumber }) ?? 5
                    from = max(from ?? 0, WallClock.nowMillis() - minutes * 60_000)
                default:
                    throw StewardError(.invalidParameter, "metric_period must be REAL_TIME, 5MIN, 30MIN or 60MIN.")
                }
            }
            let data = self.metrics.query(names: names, hosts: hosts, from: from, to: to, latest: latest)
            return JSONBody.ok(MetricDatas(metricDatas: data.mapValues { list in
                list.map { MetricDatas.Point(time: $0.0.time, value: Self.text($0.0.value), node: $0.1) }
            }))
        }
    }

    /// The reference types a value as STRING: integers without a decimal point.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
