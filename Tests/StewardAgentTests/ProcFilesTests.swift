import Testing
@testable import StewardAgent

/// The /proc parsers and the metrics arithmetic, on text copied from a real host.
@Suite struct ProcFilesTests {
    static let stat = """
        cpu  66914 0 7085 554714 230 0 100 156 0 0
        cpu0 33228 0 3392 277780 92 0 47 72 0 0
        cpu1 33686 0 3692 276933 137 0 52 84 0 0
        intr 2938454 0 9 0 0 0 0 0 0 0 0
        ctxt 5342318
        """

    static let meminfo = """
        MemTotal:       24684092 kB
        MemFree:        19536272 kB
        MemAvailable:   23057380 kB
        Buffers:          116824 kB
        Cached:          3471452 kB
        HugePages_Total:       0
        """

    static let netDev = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
          ifb0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
          eth0: 170725138    4846    0    0    0     0          0         0   230553    2388    0    0    0     0       0          0
          eth1:4294967296 12 0 0 0 0 0 0 1000 3 0 0 0 0 0 0
        """

    @Test("/proc/stat: busy is everything but idle and iowait, over the first eight fields")
    func cpuTimes() {
        // total = 66914+0+7085+554714+230+0+100+156; idle = 554714+230
        #expect(ProcFiles.cpuTimes(stat: Self.stat) == ProcFiles.CPUTimes(busy: 74_255, total: 629_199))
        #expect(ProcFiles.cpuTimes(stat: "cpu0 1 2 3 4\n") == nil, "the first line must be the total")
        #expect(ProcFiles.cpuTimes(stat: "cpu  1 2 3\n") == nil, "fewer than four fields")
        #expect(ProcFiles.cpuTimes(stat: "") == nil)
    }

    @Test("CPU use is the busy share of the time between two samples; no time or counters going back give none")
    func cpuUsed() {
        let first = ProcFiles.CPUTimes(busy: 100, total: 1000)
        #expect(HostMetrics.cpuUsed(from: first, to: .init(busy: 150, total: 1100)) == 50)
        #expect(HostMetrics.cpuUsed(from: first, to: .init(busy: 101, total: 1003)) == 33.33)
        #expect(HostMetrics.cpuUsed(from: first, to: first) == nil)
        #expect(HostMetrics.cpuUsed(from: first, to: .init(busy: 90, total: 1100)) == nil)
    }

    @Test("/proc/meminfo: values by name in KiB; a line without a unit counts too")
    func meminfo() {
        let values = ProcFiles.meminfo(Self.meminfo)
        #expect(values["MemTotal"] == 24_684_092)
        #expect(values["MemAvailable"] == 23_057_380)
        #expect(values["HugePages_Total"] == 0)
        #expect(values.count == 6)
        #expect(ProcFiles.meminfo("garbage\nMemTotal 12 kB\n").isEmpty)
    }

    @Test("memory: MiB, and used is what is not available")
    func memory() {
        let values = HostMetrics.memory(ProcFiles.meminfo(Self.meminfo))
        #expect(values["hm_mem_total"] == 24105.56)
        #expect(values["hm_mem_used"] == 1588.59)
        #expect(values["hm_mem_usage"] == 6.59)
        #expect(HostMetrics.memory(["MemTotal": 1024]).isEmpty, "no MemAvailable, no guess")
        #expect(HostMetrics.memory(["MemTotal": 1024, "MemAvailable": 4096])["hm_mem_used"] == 0)
    }

    @Test("/proc/net/dev: bytes of every interface but loopback, a counter touching the colon included")
    func netBytes() {
        #expect(ProcFiles.netBytes(Self.netDev) == ProcFiles.NetBytes(rx: 170_725_138 + 4_294_967_296, tx: 230_553 + 1000))
        #expect(ProcFiles.netBytes("") == nil)
    }

    @Test("network rates in KiB/s; no time between samples gives none")
    func network() {
        let rates = HostMetrics.network(from: .init(rx: 1000, tx: 0), to: .init(rx: 1000 + 2048, tx: 1024), seconds: 2)
        #expect(rates == ["hm_net_read": 1, "hm_net_write": 0.5])
        #expect(HostMetrics.network(from: .init(rx: 0, tx: 0), to: .init(rx: 5, tx: 5), seconds: 0).isEmpty)
    }

    @Test("disk: GiB and the used percentage; an empty file system is 0 % used")
    func disk() {
        let gib = 1_073_741_824.0
        #expect(HostMetrics.disk(totalBytes: 100 * gib, freeBytes: 25 * gib)
                == ["hm_disk_total": 100, "hm_disk_used": 75, "hm_disk_usage": 75])
        #expect(HostMetrics.disk(totalBytes: 0, freeBytes: 0)["hm_disk_usage"] == 0)
    }

    @Test("a sample of this host has the values the manager charts")
    func sampleOfThisHost() {
        var metrics = HostMetrics(dataDirectory: "/")
        _ = metrics.sample()
        let values = metrics.sample().values
        for name in ["hm_cpu_core_num", "hm_mem_total", "hm_mem_usage", "hm_disk_total", "hm_net_read"] {
            #expect(values[name] != nil, "\(name)")
        }
        #expect((values["hm_mem_usage"] ?? -1) >= 0 && (values["hm_mem_usage"] ?? 101) <= 100)
    }
}
