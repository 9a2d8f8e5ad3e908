#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI

/// Samples the host's CPU, memory, disk and network from /proc and statvfs.
/// Rates (CPU use, network) are over the time since the previous sample.
struct HostMetrics {
    let dataDirectory: String
    private var lastCPU: (busy: UInt64, total: UInt64)?
    private var lastNet: (rx: UInt64, tx: UInt64, at: Double)?

    init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    mutating func sample() -> HostSample {
        var v: [String: Double] = [:]
        v["hm_cpu_core_num"] = Double(ProcessInfo.processInfo.activeProcessorCount)
        if let cpu = Self.cpuTimes() {
            if let last = lastCPU, cpu.total > last.total {
                v["hm_cpu_used"] = Self.round(100 * Double(cpu.busy - last.busy) / Double(cpu.total - last.total))
            }
            lastCPU = cpu
        }
        let mem = Self.meminfo()
        if let total = mem["MemTotal"], let available = mem["MemAvailable"] {
            v["hm_mem_total"] = Self.round(Double(total) / 1024)
            v["hm_mem_used"] = Self.round(Double(total - min(total, available)) / 1024)
            v["hm_mem_usage"] = Self.round(100 * Double(total - min(total, available)) / Double(max(total, 1)))
        }
        var fs = statvfs()
        if statvfs(dataDirectory, &fs) == 0 {
            let total = Double(fs.f_blocks) * Double(fs.f_frsize)
            let free = Double(fs.f_bavail) * Double(fs.f_frsize)
            v["hm_disk_total"] = Self.round(total / 1_073_741_824)
            v["hm_disk_used"] = Self.round((total - free) / 1_073_741_824)
            v["hm_disk_usage"] = total > 0 ? Self.round(100 * (total - free) / total) : 0
        }
        let now = Date().timeIntervalSince1970
        if let net = Self.netBytes() {
            if let last = lastNet, now > last.at {
                v["hm_net_read"] = Self.round(Double(net.rx &- last.rx) / 1024 / (now - last.at))
                v["hm_net_write"] = Self.round(Double(net.tx &- last.tx) / 1024 / (now - last.at))
            }
            lastNet = (net.rx, net.tx, now)
        }
        return HostSample(time: Millis(now * 1000), values: v)
    }

    static func round(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    /// (busy, total) jiffies of all CPUs, from the first line of /proc/stat.
    static func cpuTimes() -> (busy: UInt64, total: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 4 else { return nil }
        let total = fields.prefix(8).reduce(0, +)
        let idle = fields[3] + (fields.count > 4 ? fields[4] : 0)
        return (total - idle, total)
    }

    /// /proc/meminfo in KiB.
    static func meminfo() -> [String: UInt64] {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return [:] }
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count >= 2, let value = UInt64(parts[1]) else { continue }
            out[String(parts[0].dropLast())] = value
        }
        return out
    }

    /// Bytes received and sent by every interface but loopback, from /proc/net/dev.
    static func netBytes() -> (rx: UInt64, tx: UInt64)? {
        guard let text = try? String(contentsOfFile: "/proc/net/dev", encoding: .utf8) else { return nil }
        var rx: UInt64 = 0, tx: UInt64 = 0
        for line in text.split(separator: "\n").dropFirst(2) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard name != "lo" else { continue }
            let fields = line[line.index(after: colon)...].split(separator: " ").compactMap { UInt64($0) }
            guard fields.count >= 9 else { continue }
            rx &+= fields[0]
            tx &+= fields[8]
        }
        return (rx, tx)
    }
}
