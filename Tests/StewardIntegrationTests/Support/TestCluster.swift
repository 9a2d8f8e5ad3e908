#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Synchronization

/// A real cluster for a test: the `steward` binary as a manager and three
/// agents (host-1..3), each a separate process on loopback, with the demo
/// stack's ports shifted so that clusters of successive tests never collide.
actor TestCluster {
    static let password = "test-admin-pw"
    static let heartbeatIntervalMs = 200
    static let heartbeatTimeoutMs = 1500
    private static let clusters = Atomic<Int>(0)

    let root: String
    let portShift: Int
    let stack: String
    let extraManagerArgs: [String]
    let extraAgentArgs: [String]
    let http: HTTPClient
    private(set) var managerPort = 0
    private(set) var client: StewardClient
    private var manager: pid_t?
    private var agents: [String: pid_t] = [:]

    /// `portShift` nil picks a free one; the lab stack uses 0, its hosts' own addresses keeping ports apart.
    init(stack: String = "demo", managerArgs: [String] = [], agentArgs: [String] = [], http: HTTPClient = .shared,
         portShift: Int? = nil) {
        extraManagerArgs = managerArgs
        extraAgentArgs = agentArgs
        self.http = http
        let n = Self.clusters.add(1, ordering: .relaxed).newValue
        self.portShift = portShift ?? Self.freePortShift()
        root = NSTemporaryDirectory() + "steward-test-\(getpid())-\(n)"
        self.stack = stack
        client = StewardClient(baseURL: "http://127.0.0.1:1", user: "admin", password: Self.password)
    }

    /// The role ports of the stacks the tests use, before the shift.
    static let rolePorts = [21100, 21101, 21102, 21103, 21201, 21211, 21212, 21213, 21302, 21303, 21500, 21600]
    private static let nextShift = Atomic<Int>(Int.random(in: 0..<66))

    /// A shift whose role ports nothing listens on now: another test run on
    /// the same machine, or a process a test left, must not take a test's ports.
    /// Shifted ports stay below 32768, where the kernel's ephemeral ports begin.
    static func freePortShift() -> Int {
        for _ in 0..<66 {
            let slot = nextShift.add(1, ordering: .relaxed).newValue % 66
            let shift = 3000 + slot * 120
            if rolePorts.allSatisfy({ !ProcessControl.tcpAccepts(port: $0 + shift) && (try? PortHolder(port: $0 + shift))?.releasing() == true }) {
                return shift
            }
        }
        return 3000
    }

    /// A cluster with its manager up and the agents of `hosts` (all three by default) connected.
    static func start(stack: String = "demo", managerArgs: [String] = [], agentArgs: [String] = [],
                      http: HTTPClient = .shared, hosts: [String] = ["host-1", "host-2", "host-3"]) async throws -> TestCluster {
        let cluster = TestCluster(stack: stack, managerArgs: managerArgs, agentArgs: agentArgs, http: http)
        try await cluster.startManager(port: 0)
        for host in hosts { try await cluster.startAgent(host) }
        try await cluster.waitForHosts(connected: Set(hosts))
        return cluster
    }

    static var binary: String {
        if let given = ProcessInfo.processInfo.environment["STEWARD_BINARY"] { return given }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle lives at .build/<triple>/debug/<name>.xctest[/...]; steward is beside it.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("steward").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("steward").path
    }

    func startManager(port: Int) async throws {
        try FileManager.default.createDirectory(atPath: root + "/manager", withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: root + "/manager/manager.url")
        // From a file, as in production: --admin-password would show it in ps.
        try SecretFile.write(Self.password + "\n", to: root + "/admin-password")
        manager = try launch("manager", [
            "manager", "--data-dir", root + "/manager", "--port", String(port), "--admin-password-file", root + "/admin-password",
            "--port-shift", String(portShift), "--stack", stack,
            "--heartbeat-interval-ms", String(Self.heartbeatIntervalMs),
            "--heartbeat-timeout-ms", String(Self.heartbeatTimeoutMs),
            // The slow hash is the point in production; a debug build needs minutes for the 401 tests at full rounds.
            "--password-hash-rounds", "10000",
            // Tests try many wrong passwords on purpose; the throttling test sets its own limit.
            "--login-failure-limit", "1000",
        ] + extraManagerArgs)
        let url = try await waitFor("the manager's URL", timeout: .seconds(60)) { () -> String? in
            guard let text = try? String(contentsOfFile: self.root + "/manager/manager.url", encoding: .utf8) else { return nil }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        managerPort = Int(url.split(separator: ":").last ?? "") ?? 0
        client = StewardClient(baseURL: url, user: "admin", password: Self.password, http: http)
    }

    func startAgent(_ host: String, args: [String]? = nil) async throws {
        agents[host] = try launch(host, [
            "agent", "--manager", client.baseURL, "--host", host, "--data-dir", root + "/" + host,
            "--token-file", root + "/manager/agent.token",
        ] + (args ?? extraAgentArgs))
    }

    /// Runs a host's agent from a whole command line (argv[0] the executable),
    /// as a service manager or a wrapper such as unshare would.
    func startAgent(_ host: String, argv: [String]) throws {
        agents[host] = try ProcessControl.spawn(argv, environment: ProcessInfo.processInfo.environment,
                                                logPath: root + "/\(host).log", newSession: true)
    }

    func signalAgent(_ host: String, _ signal: Int32) async {
        guard let pid = agents[host] else { return }
        kill(pid, signal)
        await Self.waitExit(pid)
        agents[host] = nil
    }

    func signalManager(_ signal: Int32) async {
        guard let pid = manager else { return }
        kill(pid, signal)
        await Self.waitExit(pid)
        manager = nil
    }

    /// The names of an agent process's threads, from /proc.
    func agentThreads(_ host: String) throws -> [String] {
        let pid = try requireValue(agents[host], "no agent for \(host)")
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        return tasks.compactMap { try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func waitForHosts(connected hosts: Set<String>) async throws {
        _ = try await waitFor("hosts \(hosts.sorted()) connected", timeout: .seconds(60)) { () -> Bool? in
            let list = (try? await self.client.hosts()) ?? []
            let up = Set(list.filter { $0.status == .connected }.map(\.hostName))
            return hosts.isSubset(of: up) ? true : nil
        }
    }

    /// The port an instance is configured with, from the API.
    func port(_ instance: String) async throws -> Int {
        let views = try await client.instances()
        let view = try requireValue(views.first { $0.name == instance }, "no instance \(instance)")
        return try requireValue(view.configurations["port"].flatMap(Int.init), "no port for \(instance)")
    }

    /// Stops everything: agents, manager, then any role process left behind
    /// (an agent killed with SIGKILL leaves its processes running by design).
    func stop() async {
        for host in agents.keys.sorted() { await signalAgent(host, SIGTERM) }
        await signalManager(SIGTERM)
        let hosts = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for host in hosts where host.hasPrefix("host-") {
            let instances = root + "/" + host + "/instances"
            for role in (try? FileManager.default.contentsOfDirectory(atPath: instances)) ?? [] {
                if let text = try? String(contentsOfFile: "\(instances)/\(role)/pid", encoding: .utf8),
                   let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
                    kill(-pid, SIGKILL)
                }
            }
        }
        // A process started just before its agent was killed may have no pid file yet:
        // anything whose command line names this cluster's directory goes too.
        Self.removeLeftovers(root)
    }

    /// Kills whatever process still names `root` on its command line, then
    /// removes `root` (unless STEWARD_KEEP_TEST_DATA is set).
    static func removeLeftovers(_ root: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry), pid != getpid(),
                  let cmdline = ProcessControl.commandLine(pid), cmdline.contains(root + "/") else { continue }
            kill(pid, SIGKILL)
        }
        if ProcessInfo.processInfo.environment["STEWARD_KEEP_TEST_DATA"] == nil {
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    private func launch(_ name: String, _ args: [String]) throws -> pid_t {
        try ProcessControl.spawn([Self.binary] + args, environment: ProcessInfo.processInfo.environment,
                                 logPath: root + "/\(name).log", newSession: true)
    }

    /// Waits for a signalled child to end; SIGKILL after 30 s.
    static func waitExit(_ pid: pid_t) async {
        if await ProcessControl.waitGone(pid, timeout: .seconds(30)) { return }
        kill(pid, SIGKILL)
        _ = await ProcessControl.waitGone(pid, timeout: .seconds(10))
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

struct Missing: Error, CustomStringConvertible {
    let description: String
}

func requireValue<T>(_ value: T?, _ message: String) throws -> T {
    guard let value else { throw Missing(description: message) }
    return value
}

/// Waits for a condition (no fixed sleeps): `probe` returns a value when it holds.
func waitFor<T: Sendable>(_ what: String, timeout: Duration = .seconds(30),
                          _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw TimedOut(what: what)
}
