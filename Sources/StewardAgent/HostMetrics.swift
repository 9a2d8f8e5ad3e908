#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI

/// Samples the host's CPU, memory, disk and network from /proc and statvfs.
/// Rates (CPU use, network) are over the time since the previous sample.
/// The reading is here; the parsing and arithmetic are the pure functions
/// of `ProcFiles` and `HostMetrics.values`, tested on literal file text.
struct HostMetrics {
    let dataDirectory: String
    private var lastCPU: ProcFiles.CPUTimes?
    private var lastNet: (bytes: ProcFiles.NetBytes, at: Double)?

    init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    mutating func sample() -> HostSample {
        var v: [String: Double] = ["hm_cpu_core_num": Double(ProcessInfo.processInfo.activeProcessorCount)]
        if let cpu = Self.read("/proc/stat").flatMap({ ProcFiles.cpuTimes(stat: $0) }) {
            if let last = lastCPU, let used = Self.cpuUsed(from: last, to: cpu) { v["hm_cpu_used"] = used }
            lastCPU = cpu
        }
        v.merge(Self.memory(ProcFiles.meminfo(Self.read("/proc/meminfo") ?? "")), uniquingKeysWith: { $1 })
        var fs = statvfs()
        if statvfs(dataDirectory, &fs) == 0 {
            v.merge(Self.disk(totalBytes: Double(fs.f_blocks) * Double(fs.f_frsize),
                              freeBytes: Double(fs.f_bavail) * Double(fs.f_frsize)), uniquingKeysWith: { $1 })
        }
        let now = Date().timeIntervalSince1970
        if let net = Self.read("/proc/net/dev").flatMap({ ProcFiles.netBytes($0) }) {
            if let last = lastNet {
                v.merge(Self.network(from: last.bytes, to: net, seconds: now - last.at), uniquingKeysWith: { $1 })
            }
            lastNet = (net, now)
        }
        return HostSample(time: Millis(now * 1000), values: v)
    }

    private static func read(_ path: String) -> String? {
        try? String(contentsOfFile: path, encoding: .utf8)
    }

    static func round(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// Percent of CPU time busy between two samples; nil when no time passed
    /// or the counters went back (they are reset only by a reboot).
    static func cpuUsed(from last: ProcFiles.CPUTimes, to now: ProcFiles.CPUTimes) -> Double? {
        guard now.total > last.total, now.busy >= last.busy else { return nil }
        return round(100 * Double(now.busy - last.busy) / Double(now.total - last.total))
    }

    /// Total and used memory in MiB and the used percentage, from /proc/meminfo's KiB.
    /// "Used" is what is not available: page cache the kernel can drop counts as free.
    static func memory(_ meminfo: [String: UInt64]) -> [String: Double] {
        guard let total = meminfo["MemTotal"], let available = meminfo["MemAvailable"] else { return [:] }
        let used = total - min(total, available)
        return [
            "hm_mem_total": round(Double(total) / 1024),
            "hm_mem_used": round(Double(used) / 1024),
            "hm_mem_usage": round(100 * Double(used) / Double(max(total, 1))),
        ]
    }

    /// Size and use in GiB and the used percentage of the data directory's file system.
    static func disk(totalBytes total: Double, freeBytes free: Double) -> [String: Double] {
        [
            "hm_disk_total": round(total / 1_073_741_824),
            "hm_disk_used": round((total - free) / 1_073_741_824),
            "hm_disk_usage": total > 0 ? round(100 * (total - free) / total) : 0,
        ]
    }

    /// KiB per second received and sent between two samples.
    static func network(from last: ProcFiles.NetBytes, to now: ProcFiles.NetBytes, seconds: Double) -> [String: Double] {
        guard seconds > 0 else { return [:] }
        return [
            "hm_net_read": round(Double(now.rx &- last.rx) / 1024 / seconds),
            "hm_net_write": round(Double(now.tx &- last.tx) / 1024 / seconds),
        ]
    }
}

/// Parsers of the /proc files the agent samples, from their text.
enum ProcFiles {
    struct CPUTimes: Equatable {
        var busy: UInt64
        var total: UInt64
    }

    struct NetBytes: Equatable {
        var rx: UInt64
        var tx: UInt64
    }

    /// Busy and total jiffies of all CPUs, from the first line of /proc/stat:
    /// user nice system idle iowait irq softirq steal (guest time is already in user).
    static func cpuTimes(stat text: String) -> CPUTimes? {
        guard let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return nil }
        let total = fields.prefix(8).reduce(0, +)
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        return CPUTimes(busy: total - idle, total: total)
    }

    /// /proc/meminfo's values by name, in KiB (the unit the file gives).
    static func meminfo(_ text: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, parts[0].hasSuffix(":"), let value = UInt64(parts[1]) else { continue }
            out[String(parts[0].dropLast())] = value
        }
        return out
    }

    /// Bytes received and sent by every interface but loopback, from /proc/net/dev
    /// (two header lines; a large counter may touch the colon after the name).
    static func netBytes(_ text: String) -> NetBytes? {
        let lines = text.split(separator: "\n")
        guard lines.count >= 2 else { return nil }
        var bytes = NetBytes(rx: 0, tx: 0)
        for line in lines.dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            guard line[..<colon].trimmingCharacters(in: .whitespaces) != "lo" else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            guard fields.count >= 9 else { continue }
            bytes.rx &+= fields[0]
            bytes.tx &+= fields[8]
        }
        return bytes
    }
}
