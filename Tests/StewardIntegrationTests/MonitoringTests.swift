import Foundation
import StewardClient
import StewardEngine
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
}
