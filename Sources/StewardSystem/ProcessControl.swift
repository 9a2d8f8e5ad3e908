#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Thin wrappers over the process system calls that the agent, the demo and
/// the test harness need. Not Foundation's `Process`: that one reaps children
/// behind our back and, on Linux, can miss an exit, while supervision needs to
/// own `waitpid` and process groups.
public enum ProcessControl {
    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `argv`, stdin from /dev/null, stdout and stderr appended to
    /// `logPath` (or inherited when nil). With `newSession` the child gets its
    /// own session and process group (its pid), detached from our terminal and
    /// our signals: Ctrl-C on the agent does not reach the role processes.
    /// `workingDirectory`: where the child starts (our own when nil).
    public static func spawn(_ argv: [String], environment: [String: String], logPath: String?,
                             newSession: Bool = true, workingDirectory: String? = nil, truncateLog: Bool = false) throws -> pid_t {
        guard let exe = argv.first, !exe.isEmpty else { throw SpawnError(description: "empty command") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let logPath {
            posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | (truncateLog ? O_TRUNC : O_APPEND), 0o640)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // The file actions run in order: the log is opened before the chdir.
        if let workingDirectory {
            guard let addchdir = Self.addchdir else {
                throw SpawnError(description: "cannot start \(exe) in \(workingDirectory): this C library cannot set a child's directory")
            }
            _ = addchdir(&actions, workingDirectory)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26+): a new session and process group.
        let setsid: Int32 = 0x80
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGINT)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16((newSession ? setsid : 0) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, exe, &actions, &attributes, cArgs, cEnv)
        guard rc == 0 else { throw SpawnError(description: "cannot start \(exe): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's
    /// Glibc module does not export: looked up once, by name.
    private static let addchdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    public enum Liveness: Equatable, Sendable {
        case running
        case exited(status: Int32)
        case gone
    }

    /// Whether a process lives. Reaps it if it is our child and has exited; a
    /// process we re-attached to (not our child) is checked with kill(0) and
    /// /proc, so that a zombie awaiting its reaper counts as gone.
    public static func liveness(_ pid: pid_t) -> Liveness {
        guard pid > 0 else { return .gone }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG by their definitions in <sys/wait.h>.
            let signal = status & 0x7f
            return .exited(status: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
        }
        if r == 0 { return .running }
        guard kill(pid, 0) == 0 || errno == EPERM else { return .gone }
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return .gone }
        }
        return .running
    }

    /// The process's command line, to tell our process from a reused pid.
    public static func commandLine(_ pid: pid_t) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    public static func signalGroup(_ pgid: pid_t, _ signal: Int32) {
        if kill(-pgid, signal) != 0 { _ = kill(pgid, signal) }
    }

    /// The last `maxBytes` of a file from `offset` on, as text.
    public static func tail(of path: String, from offset: UInt64 = 0, maxBytes: Int = 4096) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let end = (try? handle.seekToEnd()) ?? 0
        let start = max(offset, end > UInt64(maxBytes) ? end - UInt64(maxBytes) : 0)
        try? handle.seek(toOffset: start)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public static func fileSize(_ path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.uint64Value ?? 0
    }

    /// This executable's path, for the `{steward}` placeholder.
    public static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The path of a program as `execvp` would find it in `searchPath`
    /// (colon-separated), or of `name` itself when it holds a slash; nil if
    /// there is no such executable file.
    public static func findExecutable(_ name: String, searchPath: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in searchPath.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Connects to host:port (an IPv4 address, 127.0.0.1 by default); true if something accepts.
    public static func tcpAccepts(port: Int, host: String = "127.0.0.1") -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }

    /// Waits up to `timeout` for a process to end; true if it did.
    public static func waitGone(_ pid: pid_t, timeout: Duration) async -> Bool {
        await waitUntil(timeout) { liveness(pid) != .running }
    }

    /// SIGTERM, up to `grace` for the process to end, then SIGKILL.
    public static func terminate(_ pid: pid_t, grace: Duration) async {
        _ = await stop(grace: grace, killWait: .seconds(10), send: { _ = kill(pid, $0) }, isGone: { liveness(pid) != .running })
    }

    /// How a stop went: it was not running, SIGTERM ended it, SIGKILL did, or nothing did.
    public enum StopOutcome: Equatable, Sendable {
        case notRunning, terminated, killed, survived
    }

    /// The one stop sequence (SIGTERM, a grace, SIGKILL, a wait) behind
    /// `terminate` and `Reaper.stopGroup`, which differ in whom they signal
    /// and how they tell a process is gone.
    static func stop(grace: Duration, killWait: Duration, send: (Int32) -> Void, isGone: () -> Bool) async -> StopOutcome {
        guard !isGone() else { return .notRunning }
        send(SIGTERM)
        if await waitUntil(grace, isGone) { return .terminated }
        send(SIGKILL)
        return await waitUntil(killWait, isGone) ? .killed : .survived
    }

    /// Polls `done` until it holds or `timeout` passes; true if it held. Not
    /// cut short by cancellation: a stop must see its process go even when
    /// the caller is shutting down.
    static func waitUntil(_ timeout: Duration, _ done: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(5)
        while ContinuousClock.now < deadline {
            if done() { return true }
            await pause(delay)
            delay = min(delay * 2, .milliseconds(50))
        }
        return done()
    }

    /// A sleep that a cancelled task also takes (its own `Task.sleep` would
    /// return at once and spin the loop): the sleep runs in a task of its own.
    static func pause(_ duration: Duration) async {
        await Task { try? await Task.sleep(for: duration) }.value
    }

    /// "status 1", or "signal 9" for a status above 128 (`Liveness.exited`
    /// reports a signal as 128 + its number, as shells do).
    public static func describeExit(_ status: Int32) -> String {
        (129...192).contains(status) ? "signal \(status - 128)" : "status \(status)"
    }

    /// The last non-blank line of a process's output, for a one-line reason.
    public static func lastLine(of text: String, maxLength: Int = 300) -> String? {
        text.split(whereSeparator: \.isNewline).last { !$0.allSatisfy(\.isWhitespace) }.map { String($0.prefix(maxLength)) }
    }
}
