import Foundation
import StewardSystem
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL 15 (RECIPES.md, section 1): its data, socket and log
/// in a temporary directory, the server a child of the test (so that a kill -9
/// is reaped at once and it can start again on the same data). Tests that need
/// one skip when the machine has none, unless CI is set, where it must exist.
actor PostgresServer {
    static let bin = "/usr/lib/postgresql/15/bin"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: bin + "/postgres") }
    static var runnable: Bool { available || ProcessInfo.processInfo.environment["CI"] == "true" }

    let root: String
    let port: Int
    private var pid: pid_t?
    nonisolated var url: String { "postgres://steward:steward-pw@127.0.0.1:\(port)/steward" }

    private init(root: String, port: Int) {
        self.root = root
        self.port = port
    }

    static func start() async throws -> PostgresServer {
        let root = NSTemporaryDirectory() + "steward-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = try await tool(["chown", "postgres:postgres", root])
        let initdb = try await tool(["runuser", "-u", "postgres", "--", bin + "/initdb", "-D", root + "/data", "-U", "postgres",
                                     "-E", "UTF8", "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"])
        guard initdb.status == 0 else { throw Missing(description: "initdb failed: \(initdb.output)") }
        let server = PostgresServer(root: root, port: try freePort())
        try await server.launch()
        let setup = try await tool(["runuser", "-u", "postgres", "--", "psql", "-h", root, "-p", String(server.port), "-U", "postgres",
                                    "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE ROLE steward LOGIN PASSWORD 'steward-pw'",
                                    "-c", "CREATE DATABASE steward OWNER steward"])
        guard setup.status == 0 else { throw Missing(description: "psql failed: \(setup.output)") }
        return server
    }

    /// Starts the server (again, after a kill) on its data, and waits until it takes connections.
    func launch() async throws {
        pid = try ProcessControl.spawn(
            ["/usr/sbin/runuser", "-u", "postgres", "--", Self.bin + "/postgres", "-D", root + "/data",
             "-c", "listen_addresses=127.0.0.1", "-p", String(port), "-k", root, "-c", "fsync=off"],
            environment: ProcessInfo.processInfo.environment, logPath: root + "/log", newSession: true)
        let port = port
        _ = try await waitFor("PostgreSQL to take connections", timeout: .seconds(60)) { () -> Bool? in
            ProcessControl.tcpAccepts(port: port) ? true : nil
        }
    }

    /// kill -9 of the postmaster (its backends end with it), reaped before this returns.
    func kill9() async {
        guard let pid else { return }
        // runuser forwards no SIGKILL: the postmaster is its child, found by its pid file.
        if let text = try? String(contentsOfFile: root + "/data/postmaster.pid", encoding: .utf8),
           let postmaster = pid_t(text.split(separator: "\n").first ?? "") {
            kill(postmaster, SIGKILL)
        }
        _ = await ProcessControl.waitGone(pid, timeout: .seconds(30))
        self.pid = nil
    }

    func stop() async {
        if let pid {
            kill(-pid, SIGTERM)
            if let text = try? String(contentsOfFile: root + "/data/postmaster.pid", encoding: .utf8),
               let postmaster = pid_t(text.split(separator: "\n").first ?? "") {
                kill(postmaster, SIGQUIT)
            }
            _ = await ProcessControl.waitGone(pid, timeout: .seconds(30))
        }
        pid = nil
        try? FileManager.default.removeItem(atPath: root)
    }
}
