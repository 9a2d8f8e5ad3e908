#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Gives back the executable's pages that a process touched while starting.
///
/// RSS counts every page of the binary a process has touched since exec: the
/// relocation tables the loader reads once, argument parsing, TLS setup, the
/// first registration. They stay mapped (and counted) for the life of the
/// process although an idle agent never runs that code again. `release()`
/// drops them from this process's page tables with `MADV_DONTNEED`; the pages
/// stay in the page cache, so whatever is touched again is mapped again from
/// there, without I/O. What RSS shows afterwards is the working set.
///
/// Only the executable's own mappings, and only those never written: not
/// writable, and not one page privately copied (relocated data sits in
/// read-only mappings too, after RELRO, and `MADV_DONTNEED` would turn it
/// back into the file's unrelocated bytes). The executable is never unmapped,
/// so no other mapping can take its place between reading the list and the
/// call. On a system without /proc (not Linux) it does nothing.
public enum StartupPages {
    public struct Mapping: Equatable, Sendable {
        public var start: UInt
        public var end: UInt
        public var writable: Bool
        public var path: String
        public var anonymousKiB: Int
    }

    /// The mappings described by /proc/PID/smaps text.
    public static func mappings(smaps text: String) -> [Mapping] {
        var out: [Mapping] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            if fields.count >= 5, let dash = fields[0].firstIndex(of: "-"),
               let start = UInt(fields[0][..<dash], radix: 16),
               let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16) {
                let path = fields.count == 6 ? fields[5].trimmingCharacters(in: .whitespaces) : ""
                out.append(Mapping(start: start, end: end, writable: fields[1].dropFirst().first == "w",
                                   path: path, anonymousKiB: 0))
            } else if fields.first == "Anonymous:", fields.count >= 2, let kib = Int(fields[1]), !out.isEmpty {
                out[out.count - 1].anonymousKiB = kib
            }
        }
        return out
    }

    /// The mappings `release()` may drop: the executable's, never written.
    public static func droppable(_ mappings: [Mapping], executable: String) -> [Mapping] {
        mappings.filter { $0.path == executable && !$0.writable && $0.anonymousKiB == 0 }
    }

    /// Drops the executable's never-written pages from this process's page
    /// tables; returns the bytes of the mappings it advised.
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let text = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else { return 0 }
        var bytes = 0
        for mapping in droppable(mappings(smaps: text), executable: executable) {
            let length = Int(mapping.end - mapping.start)
            if madvise(UnsafeMutableRawPointer(bitPattern: mapping.start), length, MADV_DONTNEED) == 0 {
                bytes += length
            }
        }
        return bytes
        #else
        return 0
        #endif
    }
}
