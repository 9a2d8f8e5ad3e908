@testable import StewardManager
import StewardAPI
import Testing

@Suite("Metrics history")
struct MetricsHistoryTests {
    func sample(_ second: Int64, cpu: Double, mem: Double? = nil) -> HostSample {
        var values = ["hm_cpu_used": cpu]
        if let mem { values["hm_mem_total"] = mem }
        return HostSample(time: second * 1000, values: values)
    }

    @Test func keepsTheWindowAndAnswersByTimeHostAndLatest() {
        let history = MetricsHistory(windowMinutes: 1)
        // Three minutes of samples every second: only the last minute stays.
        for s in Int64(0)..<180 {
            history.record(sample(s, cpu: Double(s) / 2, mem: 24_117.25), host: "host-1")
            if s % 10 == 0 { history.record(sample(s, cpu: 1), host: "host-2") }
        }
        let all = history.query(names: ["hm_cpu_used"], hosts: ["host-1"], from: nil, to: nil, latest: false)["hm_cpu_used"] ?? []
        #expect(all.count == 61, "the samples from second 119 to 179")
        #expect(all.first?.0.time == 119_000 && all.last?.0.time == 179_000)
        #expect(all.last?.0.value == 89.5)
        let slice = history.query(names: ["hm_cpu_used"], hosts: ["host-1"], from: 170_000, to: 172_000, latest: false)
        #expect(slice["hm_cpu_used"]?.map(\.0.time) == [170_000, 171_000, 172_000])
        let latest = history.query(names: ["hm_cpu_used", "hm_mem_total"], hosts: ["host-1", "host-2", "host-9"],
                                   from: nil, to: nil, latest: true)
        #expect(latest["hm_cpu_used"]?.map(\.1) == ["host-2", "host-1"], "ordered by time, then host")
        #expect(latest["hm_mem_total"]?.map(\.0.value) == [24_117.25], "a metric a host never sent has no point")
    }

    @Test func valuesReadBackAsTheAgentRoundedThem() {
        let history = MetricsHistory(windowMinutes: 60)
        history.record(HostSample(time: 1000, values: ["hm_mem_usage": 45.67, "hm_net_read": 64215.37, "hm_cpu_used": 0.01,
                                                       "hm_disk_total": 1e39]), host: "h")
        let got = history.query(names: ["hm_mem_usage", "hm_net_read", "hm_cpu_used", "hm_disk_total"], hosts: ["h"],
                                from: nil, to: nil, latest: true)
        #expect(got["hm_mem_usage"]?.first?.0.value == 45.67)
        #expect(got["hm_net_read"]?.first?.0.value == 64215.37)
        #expect(got["hm_cpu_used"]?.first?.0.value == 0.01)
        #expect(got["hm_disk_total"]?.isEmpty == true, "beyond a Float's range is not kept as infinity")
    }

    @Test func unknownAndNonFiniteValuesAreNotKept() {
        let history = MetricsHistory(windowMinutes: 60)
        history.record(HostSample(time: 1000, values: ["hm_cpu_used": .nan, "hm_mem_usage": 42, "hm_nope": 1]), host: "h")
        let got = history.query(names: ["hm_cpu_used", "hm_mem_usage", "hm_nope"], hosts: ["h"], from: nil, to: nil, latest: false)
        #expect(got["hm_cpu_used"]?.isEmpty == true)
        #expect(got["hm_mem_usage"]?.map(\.0.value) == [42])
        #expect(got["hm_nope"]?.isEmpty == true)
    }
}
