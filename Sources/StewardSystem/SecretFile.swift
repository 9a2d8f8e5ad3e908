#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Files that hold a secret (a token, a credential, a key, a rendered
/// configuration with passwords, the CLI's credentials).
///
/// Foundation's `createFile(atPath:contents:attributes:)` and `write(to:)`
/// create the file with the umask's mode (0644 here) and change it after the
/// rename, so for a moment anyone on the host can open it; an open descriptor
/// keeps reading it after the chmod. Here the temporary file is created with
/// 0600 by `open(2)` itself, written, fsynced, then renamed over the target,
/// so no byte is ever readable by another user and a crash leaves either the
/// old file or the new one, never half of one.
public enum SecretFile {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let operation: String
        public let errno: Int32
        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errno)))"
        }
    }

    /// How long a file must last.
    public enum Durability: Sendable {
        /// Survives the host's power loss: fsynced, and its directory too (keys, tokens, credentials).
        case survivesPowerLoss
        /// Survives the writer's crash, not the host's: for files about running
        /// processes (an instance's process.json and rendered configuration),
        /// which a power loss makes moot and the next start writes again. An
        /// fsync costs about 1 ms here, 2 per instance started: 2 s of I/O
        /// waits for 1,000 instances, with the agent's threads blocked in it.
        case survivesProcessCrash
    }

    /// Writes `bytes` to `path`, replacing it atomically, with `mode` (0600 by default).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600,
                             durability: Durability = .survivesPowerLoss) throws {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw Failure(path: temporary, operation: "open", errno: errno) }
        do {
            // The umask may have narrowed the mode further; never widened it.
            try check(fchmod(fd, mode), temporary, "chmod")
            try writeAll(bytes, fd: fd, path: temporary)
            if durability == .survivesPowerLoss { try check(fsync(fd), temporary, "fsync") }
            try check(close(fd), temporary, "close")
        } catch {
            _ = close(fd)
            _ = unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = Failure(path: path, operation: "rename", errno: errno)
            _ = unlink(temporary)
            throw failure
        }
        if durability == .survivesPowerLoss { syncDirectory(of: path) }
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// A token or key kept in a file, without the whitespace and newline
    /// around it; nil when the file cannot be read (empty when it is empty).
    public static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The file's permission bits, or nil when it does not exist.
    public static func mode(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    private static func writeAll(_ bytes: [UInt8], fd: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "write", errno: errno)
            }
            offset += written
        }
    }

    private static func check(_ result: Int32, _ path: String, _ operation: String) throws {
        if result != 0 { throw Failure(path: path, operation: operation, errno: errno) }
    }

    /// The rename is durable only once the directory entry is on disk.
    private static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}
