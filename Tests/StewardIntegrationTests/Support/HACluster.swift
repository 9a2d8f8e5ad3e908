import AsyncHTTPClient
import Foundation
import StewardClient
import StewardSystem
import StewardTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Several managers on one PostgreSQL database and three agents that list them all,
/// with a stack of `services` one-role services (`S01`…), each instance slow
/// to start (`startupDelayMs`) so that commands are in flight when a test
/// kills something. Ports are chosen before anything starts, so that each
/// agent's `--manager` list is known and a killed manager comes back where it was.
actor HACluster {
    let root: String
    let database: String
    let managerPorts: [Int]
    let services: Int
    let rolePortBase: Int
    private var managers: [Int: pid_t] = [:]
    private var agents: [String: pid_t] = [:]
    static let hosts = ["host-1", "host-2", "host-3"]

    init(database: String, managers: Int, services: Int, startupDelayMs: Int) throws {
        root = NSTemporaryDirectory() + "steward-ha-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.database = database
        self.managerPorts = try (0..<managers).map { _ in try freePort() }
        self.services = services
        rolePortBase = 24_000 + Int(getpid() % 100) * 60
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try Self.stackJSON(services: services, base: rolePortBase, delayMs: startupDelayMs)
            .write(toFile: root + "/stack.json", atomically: true, encoding: .utf8)
        try SecretFile.write(TestCluster.password + "\n", to: root + "/admin-password")
    }

    nonisolated func url(_ i: Int) -> String { "http://127.0.0.1:\(managerPorts[i - 1])" }

    nonisolated func client(_ i: Int) -> StewardClient {
        StewardClient(baseURL: url(i), user: "admin", password: TestCluster.password, http: .shared)
    }

    nonisolated func service(_ n: Int) -> String { String(format: "S%02d", n) }
    nonisolated func instance(_ n: Int) -> String { String(format: "R%02d@host-%d", n, (n - 1) % 3 + 1) }
    nonisolated func pidFile(_ n: Int) -> String {
        root + String(format: "/host-%d/instances/R%02d/pid", (n - 1) % 3 + 1, n)
    }

    /// Manager `i` (1-based) up and answering.
    func startManager(_ i: Int) async throws {
        let dir = root + "/manager-\(i)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        managers[i] = try ProcessControl.spawn([TestCluster.binary,
            "manager", "--database", database, "--key-file", root + "/secret.key",
            "--data-dir", dir, "--port", String(managerPorts[i - 1]), "--admin-password-file", root + "/admin-password",
            "--stack", root + "/stack.json",
            "--heartbeat-interval-ms", String(TestCluster.heartbeatIntervalMs),
            "--heartbeat-timeout-ms", String(TestCluster.heartbeatTimeoutMs),
            "--password-hash-rounds", "10000", "--login-failure-limit", "1000",
        ], environment: ProcessInfo.processInfo.environment, logPath: root + "/manager-\(i).log", newSession: true)
        let client = client(i)
        _ = try await waitFor("manager \(i) to answer", timeout: .seconds(60)) { () -> Bool? in
            (try? await client.hosts()) != nil ? true : nil
        }
    }

    /// Agents listing every manager, the first they try rotated by host.
    func startAgents() async throws {
        for (k, host) in Self.hosts.enumerated() {
            let order = managerPorts.indices.map { url(($0 + k) % managerPorts.count + 1) }
            agents[host] = try ProcessControl.spawn([TestCluster.binary,
                "agent", "--manager", order.joined(separator: ","), "--host", host, "--data-dir", root + "/" + host,
                "--token-file", root + "/manager-1/agent.token",
            ], environment: ProcessInfo.processInfo.environment, logPath: root + "/\(host).log", newSession: true)
        }
    }

    func killManager(_ i: Int) async {
        guard let pid = managers[i] else { return }
        kill(pid, SIGKILL)
        await TestCluster.waitExit(pid)
        managers[i] = nil
    }

    func stop() async {
        for (_, pid) in agents { kill(pid, SIGTERM) }
        for (_, pid) in agents { await TestCluster.waitExit(pid) }
        for (_, pid) in managers { kill(pid, SIGTERM) }
        for (_, pid) in managers { await TestCluster.waitExit(pid) }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                  let cmdline = ProcessControl.commandLine(pid), cmdline.contains(root + "/") else { continue }
            kill(pid, SIGKILL)
        }
        if ProcessInfo.processInfo.environment["STEWARD_KEEP_TEST_DATA"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// One service per command, so that many run at once: S01's role R01 on host-1, S02's on host-2, …
    static func stackJSON(services: Int, base: Int, delayMs: Int) -> String {
        let list = (1...services).map { n in
            """
            {"name": "\(String(format: "S%02d", n))", "description": "drill service", "version": "1.0", "depends_on": [],
             "roles": [{"name": "\(String(format: "R%02d", n))", "description": "drill role", "hosts": ["host-\((n - 1) % 3 + 1)"],
               "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                           "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                           "start_timeout_seconds": 60, "stop_timeout_seconds": 10},
               "configurations": [
                 {"name": "port", "type": "PORT", "default": "\(base + n)", "description": "port"},
                 {"name": "startup_delay_ms", "type": "INT", "default": "\(delayMs)", "min": 0, "max": 600000, "description": "delay"}],
               "config_files": [{"name": "role.json", "format": "json"}]}]}
            """
        }
        return """
        {"name": "drill", "version": "1.0", "description": "Many one-role services, for the HA drills.",
         "cluster": {"id": 1, "name": "drill", "description": "HA drill", "hosts": ["host-1", "host-2", "host-3"]},
         "services": [\(list.joined(separator: ",\n"))]}
        """
    }
}
