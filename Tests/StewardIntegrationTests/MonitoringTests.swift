import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    struct MetricDatas: Codable, Sendable {
        struct Point: Codable, Sendable { let time: Int64; let value: String; let node: String }
        let metric_datas: [String: [Point]]
    }

    @Test("metrics_info answers real host metrics collected by the agents, with the reference's parameters")
    func metricsInfo() async throws {
        try await withCluster(managerArgs: ["--metrics-interval-ms", "200"]) { cluster, api in
            let path = "/web/v1/monitor/metrics_info?metric_names=hm_cpu_core_num,hm_mem_total,hm_cpu_used,hm_disk_usage"
            let data = try await waitFor("two samples from every host") { () -> [String: [MetricDatas.Point]]? in
                let d = try await api.get(path, as: MetricDatas.self).envelope.resObj?.metric_datas ?? [:]
                let cpu = d["hm_cpu_used"] ?? []
                return Set(cpu.map(\.node)).count == 3 && cpu.count >= 6 ? d : nil
            }
            // Real values of this machine.
            let cores = try #require(data["hm_cpu_core_num"]?.first)
            #expect(Int(cores.value) == ProcessInfo.processInfo.activeProcessorCount)
            let meminfo = try String(contentsOfFile: "/proc/meminfo", encoding: .utf8)
            let totalKiB = Double(meminfo.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }?
                .split(separator: " ", omittingEmptySubsequences: true)[1] ?? "0") ?? 0
            let memPoint = try #require(data["hm_mem_total"]?.first)
            let reported = try #require(Double(memPoint.value))
            #expect(abs(reported - totalKiB / 1024) < 1)
            for point in data["hm_cpu_used"] ?? [] {
                let value = try #require(Double(point.value))
                #expect((0...100).contains(value))
            }
            let diskPoint = try #require(data["hm_disk_usage"]?.first)
            let usage = try #require(Double(diskPoint.value))
            #expect(usage > 0 && usage <= 100)
            #expect(data["hm_cpu_used"].map { $0.map(\.time) == $0.map(\.time).sorted() } == true)

            // REAL_TIME: the newest sample of each host; hosts filters.
            let now = try #require(try await api.get("/web/v1/monitor/metrics_info?metric_names=hm_cpu_used&metric_period=REAL_TIME&hosts=host-2,host-3",
                                                    as: MetricDatas.self).envelope.resObj?.metric_datas["hm_cpu_used"])
            #expect(now.map(\.node).sorted() == ["host-2", "host-3"])
            let cutoff = (data["hm_cpu_used"]?.last?.time ?? 0) + 1
            let later = try await api.get("/web/v1/monitor/metrics_info?metric_names=hm_cpu_used&start_time=\(cutoff)", as: MetricDatas.self)
            #expect(later.envelope.resObj?.metric_datas["hm_cpu_used"]?.allSatisfy { $0.time >= cutoff } == true)

            for bad in ["", "?metric_names=", "?metric_names=hm_nope", "?metric_names=hm_cpu_used&hosts=host-9",
                        "?metric_names=hm_cpu_used&metric_period=weekly", "?metric_names=hm_cpu_used&host_group=g",
                        "?metric_names=" + Array(repeating: "hm_cpu_used", count: 11).joined(separator: ",")] {
                let reply = try await api.raw(.GET, "/web/v1/monitor/metrics_info" + bad)
                #expect((400..<500).contains(reply.status), "\(bad): \(reply.status)")
            }
        }
    }

    @Test("/metrics exposes commands, step and task durations and agents in Prometheus format")
    func prometheusMetrics() async throws {
        try await withCluster { cluster, api in
            _ = try await api.run(.start, "Coordinator", onlySelf: true)
            _ = try await api.progress(1)
            let reply = try await api.raw(.GET, "/metrics")
            #expect(reply.status == 200)
            let text = String(decoding: reply.body, as: UTF8.self)
            #expect(text.contains(#"steward_commands_total{kind="START_SERVICE",state="COMPLETE"} 1"#), "\(text.prefix(2000))")
            #expect(text.contains("steward_task_duration_seconds_bucket"))
            #expect(text.contains("steward_step_duration_seconds_count"))
            #expect(text.contains("steward_agents_connected_hosts 3"))
            #expect(text.contains("steward_agents_lost_hosts 0"))
            let anonymous = StewardClient(baseURL: api.baseURL, user: nil, password: nil)
            #expect(try await anonymous.raw(.GET, "/metrics").status == 401)
        }
    }

    @Test("/metrics has HTTP request latency by route, method and status class, counting every request")
    func requestLatencyByRoute() async throws {
        try await withCluster { _, api in
            let name = "steward_http_request_duration_seconds"
            let progress = #"method="GET",route="/web/v1/common/command/{command_id}/progress""#
            func scrape() async throws -> [String: Double] {
                let text = String(decoding: try await api.raw(.GET, "/metrics").body, as: UTF8.self)
                var values: [String: Double] = [:]
                for line in text.split(separator: "\n") where line.hasPrefix(name) {
                    guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                    values[String(line[..<space])] = value
                }
                return values
            }
            _ = try await api.run(.start, "Coordinator", onlySelf: true)
            let before = try await scrape()
            for _ in 0..<3 { #expect(try await api.progress(1).status == 200) }
            for _ in 0..<2 { #expect(try await api.raw(.GET, "/web/v1/common/command/999/progress").status == 404) }
            #expect(try await api.raw(.GET, "/web/v1/made/up/path").status == 404)
            let after = try await scrape()
            func delta(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }
            #expect(delta("\(name)_count{\(progress),status=\"2xx\"}") == 3)
            #expect(delta("\(name)_count{\(progress),status=\"4xx\"}") == 2)
            // A made-up path makes no series of its own.
            #expect(delta(#"\#(name)_count{method="any",route="unmatched",status="4xx"}"#) == 1)
            #expect(!after.keys.contains { $0.contains("made/up") })
            // Buckets are cumulative and end at the count; the sum is positive.
            let labels = "\(progress),status=\"2xx\""
            let buckets = after.filter { $0.key.hasPrefix("\(name)_bucket{\(labels),le=") }
            #expect(buckets.count == 15)
            let ordered = buckets.sorted { a, b in
                func bound(_ key: String) -> Double { Double(key.split(separator: "\"").dropLast().last ?? "") ?? .infinity }
                return bound(a.key) < bound(b.key)
            }.map(\.value)
            #expect(ordered == ordered.sorted(), "\(ordered)")
            #expect(ordered.last == after["\(name)_count{\(labels)}"])
            #expect((after["\(name)_sum{\(labels)}"] ?? 0) > 0)
        }
    }
}
