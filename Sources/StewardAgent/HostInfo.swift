import Foundation

/// What the agent tells the manager of its host when it registers: cores
/// online, total memory (/proc/meminfo) and the OS (/etc/os-release). The
/// parsing is pure, tested on literal file text.
struct HostInfo: Equatable {
    var cores: Int
    var memoryMiB: Int?
    var os: String?

    static func read() -> HostInfo {
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)).map(ProcFiles.meminfo) ?? [:]
        let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)
        return HostInfo(cores: ProcessInfo.processInfo.activeProcessorCount,
                        memoryMiB: meminfo["MemTotal"].map { Int($0 / 1024) },
                        os: release.flatMap(prettyName))
    }

    /// `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"` -> `Debian GNU/Linux 12 (bookworm)`.
    static func prettyName(_ osRelease: String) -> String? {
        for line in osRelease.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            var value = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            }
            return value.isEmpty ? nil : String(value.prefix(256))
        }
        return nil
    }
}
