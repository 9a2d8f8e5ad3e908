#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardAPI
import StewardSystem

/// The task ledger on disk (`<data-dir>/tasks.journal`, 0600): one JSON line
/// per change, appended, so that a task's end costs one short write rather
/// than rewriting every kept result (up to 4096 of them, each with 4 KiB of
/// output). The file is rewritten whole (written aside and renamed over, as
/// `SecretFile` does) at start and when it has grown to several times what
/// it holds. A line cut short by a crash is the last one and is skipped.
///
/// No fsync per line: a line reaches the kernel before the task it announces
/// starts, which survives the agent's crash. A power loss also ends the role
/// processes, and a task delivered again after one may as well run again.
struct TaskJournal {
    /// One change. `state` says which fields count.
    struct Line: Codable {
        enum State: String, Codable {
            /// The task was received and started.
            case running
            /// The task was running when the agent process ended: its outcome is unknown.
            case interrupted
            /// The task ended with `result`; `accepted` once a manager took it.
            case ended
            /// A manager accepted the result (or refused it for good).
            case accepted
            /// The task came again: its result must be sent again (`seq` orders it).
            case resend
            /// Dropped past the ledger's capacity.
            case forgotten
        }

        var id: Int64
        var state: State
        var result: AgentTaskResult?
        var accepted: Bool?
        /// The order in which results are to be sent.
        var seq: Int?
    }

    struct Failure: Error, CustomStringConvertible {
        let path: String
        let operation: String
        let errno: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    let path: String
    private var fd: Int32 = -1
    /// Lines in the file, to know when rewriting it pays.
    private(set) var lines = 0

    init(path: String) {
        self.path = path
    }

    /// The lines of the file, in order; a line that does not parse (the last,
    /// cut short by a crash) is skipped and counted.
    static func read(_ path: String) -> (lines: [Line], skipped: Int) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], 0) }
        var lines: [Line] = []
        var skipped = 0
        let decoder = JSONDecoder()
        for raw in data.split(separator: UInt8(ascii: "\n")) where !raw.isEmpty {
            if let line = try? decoder.decode(Line.self, from: Data(raw)) {
                lines.append(line)
            } else {
                skipped += 1
            }
        }
        return (lines, skipped)
    }

    /// Replaces the file with exactly `lines` and appends to it from then on.
    mutating func rewrite(_ lines: [Line]) throws {
        close()
        let encoder = JSONEncoder()
        var bytes: [UInt8] = []
        for line in lines {
            bytes += try encoder.encode(line)
            bytes.append(UInt8(ascii: "\n"))
        }
        try SecretFile.write(bytes, to: path, durability: .survivesProcessCrash)
        self.lines = lines.count
        try open()
    }

    /// Appends one line (opening the file first if a rewrite left it closed).
    mutating func append(_ line: Line) throws {
        if fd < 0 { try open() }
        var bytes = Array(try JSONEncoder().encode(line))
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
        lines += 1
    }

    mutating func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    private mutating func open() throws {
        fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw Failure(path: path, operation: "open", errno: errno) }
    }
}
