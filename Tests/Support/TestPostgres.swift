import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A throwaway PostgreSQL server for tests: `initdb` in a temp dir, the server
/// a child of the test process on a free 127.0.0.1 port, its socket in that dir
/// (never the image's own cluster or /var/run/postgresql). A watchdog shell
/// stops the server and removes the dir once the test process is gone, however
/// it ends. `STEWARD_TEST_POSTGRES_URL` names a server to use instead.
public final class TestPostgres: @unchecked Sendable {
    // @unchecked: `process` is only replaced under `lock`.
    public let port: Int
    public let directory: String
    /// A superuser's URL on the `postgres` database; a test's own database replaces the path.
    public let adminURL: String
    private let bin: String
    private let lock = NSLock()
    private var process: Process?
    private var watchdog: Process?
    /// Extra `-c` settings of the server.
    private var settings: [String] = []
    /// The CA that signed the server's certificate, when it takes TLS.
    public var caFile: String { directory + "/ca.pem" }

    public static let user = "steward_test"
    public static let password = "steward-test-pw"

    /// Where the PostgreSQL binaries are, if installed: the newest of /usr/lib/postgresql/*/bin.
    public static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }()

    /// Tests that need PostgreSQL run when a server is given or can be started,
    /// and always on CI (where its absence must fail, not skip).
    public static var available: Bool {
        ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"] != nil || binDirectory != nil
            || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// A server of its own: `initdb`, start, a superuser with a password. With
    /// `tls`, it also takes TLS connections, its certificate (for localhost and
    /// 127.0.0.1) signed by a CA of its own (`caFile`).
    public static func start(tls: Bool = false) async throws -> TestPostgres {
        guard let bin = binDirectory else { throw Failure("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)") }
        let dir = try makeDirectory()
        let server = TestPostgres(port: try freePort(), directory: dir, bin: bin)
        try server.initdb()
        if tls { server.settings += try server.makeCertificates() }
        try await server.startServer()
        try server.startWatchdog()
        return server
    }

    private init(port: Int, directory: String, bin: String) {
        self.port = port
        self.directory = directory
        self.bin = bin
        self.adminURL = "postgres://\(Self.user):\(Self.password)@127.0.0.1:\(port)/postgres?sslmode=disable"
    }

    /// A URL on a fresh, empty database of this server.
    public func freshDatabase() async throws -> String {
        try await Self.createDatabase(adminURL: adminURL)
    }

    // MARK: lifecycle

    /// Kills the postmaster with SIGKILL, as a crash would, and waits until it is gone.
    public func kill9() async throws {
        guard let pid = postmasterPID() else { return }
        kill(pid, SIGKILL)
        let process = lock.withLock { self.process }
        try await Self.waitUntil("the killed postmaster to be reaped", timeout: 30) {
            kill(pid, 0) != 0 && !(process?.isRunning ?? false)
        }
    }

    /// Starts the server again on the same data dir and port (crash recovery runs first).
    public func restart() async throws {
        try await startServer()
    }

    /// Stops the server, the watchdog and removes the dir.
    public func stop() {
        if let pid = postmasterPID() { kill(pid, SIGQUIT) }
        let (p, w) = lock.withLock { (process, watchdog) }
        p?.waitUntilExit()
        if let w, w.isRunning { kill(w.processIdentifier, SIGKILL); w.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func postmasterPID() -> pid_t? {
        guard let text = try? String(contentsOfFile: directory + "/data/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first, let pid = pid_t(first) else { return nil }
        return pid
    }

    private func initdb() throws {
        let pwfile = directory + "/pw"
        try Self.password.write(toFile: pwfile, atomically: true, encoding: .utf8)
        try Self.chownToPostgres(pwfile)
        try Self.run(asPostgres: [bin + "/initdb", "-D", directory + "/data", "-U", Self.user, "--pwfile=" + pwfile,
                                  "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"],
                     log: directory + "/initdb.log")
    }

    /// The server in the foreground, a child of this process (so that a kill -9
    /// is reaped at once, not when PID 1 gets to it); retried while a killed
    /// server's backends still hold its shared memory.
    private func startServer() async throws {
        let deadline = Date().addingTimeInterval(30)
        while true {
            let p = Self.process(asPostgres: [
                bin + "/postgres", "-D", directory + "/data", "-p", "\(port)", "-k", directory,
                // fsync off costs nothing a kill -9 can show (the kernel keeps what was written);
                // synchronous_commit stays on: an acknowledged commit must survive the drills' kill -9.
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
                "-c", "full_page_writes=off", "-c", "max_connections=300",
            ] + settings, log: directory + "/server.log")
            try p.run()
            lock.withLock { process = p }
            do {
                try await Self.waitUntil("PostgreSQL to accept connections on \(port)", timeout: 30) {
                    guard p.isRunning else { throw Failure("exited") }
                    return try await Self.canConnect(adminURL)
                }
                return
            } catch let failure as Failure where failure.message == "exited" && Date() < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Stops the server and removes the dir when the test process is gone.
    private func startWatchdog() throws {
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            pid=$(head -1 '\(directory)/data/postmaster.pid' 2>/dev/null) && kill -QUIT "$pid" 2>/dev/null
            for i in $(seq 100); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            rm -rf '\(directory)'
            """
        let w = Process()
        w.executableURL = URL(fileURLWithPath: "/bin/sh")
        w.arguments = ["-c", script]
        w.standardInput = FileHandle.nullDevice
        w.standardOutput = FileHandle.nullDevice
        w.standardError = FileHandle.nullDevice
        try w.run()
        lock.withLock { watchdog = w }
    }
}

// MARK: processes and files

extension TestPostgres {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        init(_ message: String) { self.message = message }
        var description: String { message }
    }

    static var isRoot: Bool { getuid() == 0 }

    /// `initdb` and `postgres` refuse to run as root: as root, they run as the postgres user.
    static func process(asPostgres command: [String], log: String) -> Process {
        let p = Process()
        if isRoot {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", "postgres", "--"] + command
        } else {
            p.executableURL = URL(fileURLWithPath: command[0])
            p.arguments = Array(command.dropFirst())
        }
        // The postgres user cannot read root's working directory.
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        p.standardInput = FileHandle.nullDevice
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        try? chownToPostgres(log)
        let handle = FileHandle(forWritingAtPath: log)
        handle?.seekToEndOfFile()
        p.standardOutput = handle ?? FileHandle.nullDevice
        p.standardError = handle ?? FileHandle.nullDevice
        return p
    }

    static func run(asPostgres command: [String], log: String) throws {
        let p = process(asPostgres: command, log: log)
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failure("\(command[0]) failed (\(p.terminationStatus)): \(text.suffix(2000))")
        }
    }

    static func makeDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try chownToPostgres(dir)
        return dir
    }

    static func chownToPostgres(_ path: String) throws {
        guard isRoot, let pw = getpwnam("postgres") else { return }
        guard chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) == 0 else { throw Failure("chown \(path) failed: \(errno)") }
    }

    /// A port nobody listens on now, from the kernel's ephemeral range.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Failure("bind failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func waitUntil(_ what: String, timeout: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !condition() {
            guard Date() < deadline else { throw Failure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
