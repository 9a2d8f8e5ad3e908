#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import StewardSystem
import Synchronization
import Testing

extension IntegrationTests {
    @Test("steward demo runs a manager and three agents; SIGINT stops all of it; a second run reuses its data")
    func demoCommand() async throws {
        let dir = NSTemporaryDirectory() + "steward-demo-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let port = try freePort()
        let shift = TestCluster.freePortShift()
        func launch() throws -> pid_t {
            try ProcessControl.spawn(
                [TestCluster.binary, "demo", "--data-dir", dir, "--port", String(port), "--admin-password", "demo-pw",
                 "--port-shift", String(shift)],
                environment: ProcessInfo.processInfo.environment, logPath: dir + ".log", newSession: true)
        }
        let api = StewardClient(baseURL: "http://127.0.0.1:\(port)", user: "admin", password: "demo-pw")
        func waitReady() async throws {
            _ = try await waitFor("the demo's three hosts", timeout: .seconds(60)) { () -> Bool? in
                guard ProcessControl.tcpAccepts(port: port) else { return nil }
                let hosts = (try? await api.hosts()) ?? []
                return hosts.filter { $0.status == .connected }.count == 3 ? true : nil
            }
        }

        let first = try launch()
        try await waitReady()
        let result = try await api.run(.start, "Coordinator", onlySelf: true)
        #expect(result.state == .complete)
        let ports = try await api.instances(service: "Coordinator").compactMap { $0.configurations["port"].flatMap(Int.init) }
        #expect(ports == [21101 + shift, 21102 + shift, 21103 + shift])
        for p in ports { #expect(await roleAnswer(port: p)?.status == 200) }

        kill(first, SIGINT)
        #expect(await ProcessControl.waitGone(first, timeout: .seconds(60)), "the demo did not stop on SIGINT")
        for p in ports + [port] {
            _ = try await waitFor("port \(p) to close") { !ProcessControl.tcpAccepts(port: p) ? true : nil }
        }

        let second = try launch()
        defer { kill(second, SIGKILL) }
        try await waitReady()
        let old = try await api.progress(result.id)
        #expect(old.status == 200, "the first run's command is kept")
        #expect(old.envelope.state == .complete)
        #expect(try await api.instances(service: "Coordinator").allSatisfy { $0.operationalStatus == .stopped })
        kill(second, SIGTERM)
        #expect(await ProcessControl.waitGone(second, timeout: .seconds(60)))
    }

    @Test("steward demo to a pipe: the banner at once; a manager killed with SIGKILL is restarted; SIGINT ends it cleanly")
    func demoSupervises() async throws {
        let demo = try PipedDemo(name: "pipe")
        defer { demo.cleanUp() }
        _ = try await waitFor("the banner", timeout: .seconds(120)) { demo.output.text.contains("Press Ctrl-C") ? true : nil }
        #expect(ProcessControl.liveness(demo.pid) == .running, "the banner came while the demo runs, not at its exit")
        #expect(demo.output.text.contains("Web UI:   \(demo.url)/\n"))
        #expect(demo.output.text.contains("steward login --manager \(demo.url)"))

        try await demo.waitForHosts()
        let manager = try requireValue(demo.child("manager"), "no manager child of the demo")
        kill(manager, SIGKILL)
        _ = try await waitFor("the restart to be said", timeout: .seconds(60)) {
            demo.output.text.contains("manager exited (signal 9); restarting (1/5)") ? true : nil
        }
        try await demo.waitForHosts()
        #expect(demo.child("manager").map { $0 != manager } == true, "a new manager process")

        let beforeInterrupt = demo.output.text.utf8.count
        kill(demo.pid, SIGINT)
        #expect(try await demo.exitStatus() == 0)
        let shutdown = String(decoding: demo.output.text.utf8.dropFirst(beforeInterrupt), as: UTF8.self)
        let complaints = shutdown.split(separator: "\n").filter { $0.contains(" warning ") || $0.contains(" error ") }
        #expect(complaints.isEmpty, "a clean shutdown reads clean:\n\(complaints.joined(separator: "\n"))")
        #expect(!demo.output.text.contains("ServiceGroupError"))
    }

    @Test("a manager that keeps dying: five restarts, then one line, everything stopped, exit status 1")
    func demoGivesUp() async throws {
        let demo = try PipedDemo(name: "give-up")
        defer { demo.cleanUp() }
        try await demo.waitForHosts()
        let started = try await demo.api.run(.start, "Coordinator", onlySelf: true)
        #expect(started.state == .complete)
        let rolePorts = try await demo.api.instances(service: "Coordinator").compactMap { $0.configurations["port"].flatMap(Int.init) }
        #expect(rolePorts.count == 3)
        let agents = demo.children("agent")
        #expect(agents.count == 3)

        // A store that is not a database: every manager started on it exits at once with status 1.
        let store = demo.dir + "/manager/steward.db"
        try Data(repeating: 0x5a, count: 4096).write(to: URL(fileURLWithPath: store + ".junk"))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store + suffix) }
        #expect(rename(store + ".junk", store) == 0)
        kill(try requireValue(demo.child("manager"), "no manager child of the demo"), SIGKILL)

        #expect(try await demo.exitStatus() == 1)
        let text = demo.output.text
        #expect(text.contains("manager exited (signal 9); restarting (1/5)"))
        #expect(text.contains("manager exited (status 1); restarting (5/5)"))
        #expect(text.contains("manager exited (status 1) after 5 restarts; stopping the demo"))
        for agent in agents { #expect(ProcessControl.liveness(agent) != .running, "agent \(agent) stopped") }
        for port in rolePorts { #expect(!ProcessControl.tcpAccepts(port: port), "role process on \(port) stopped") }
    }

    @Test("a start that outlasts the role's start timeout fails with the reason and the process is killed")
    func startTimeout() async throws {
        try await withCluster(stackJSON: Self.slowStack) { cluster, api in
            let result = try await api.run(.start, "Slow", onlySelf: true)
            #expect(result.state == .failed)
            #expect(result.errorCode == ErrorCode.taskFailed.rawValue)
            #expect(result.failEntities == ["SlowServer@host-2 START"])
            let task = try #require(result.task("SlowServer@host-2", in: "Start SlowServer"))
            #expect(task.detail.contains("not healthy within 1 s"), "\(task.detail)")
            #expect(task.outputTail?.contains("starting up") == true)
            #expect(try await api.instances(service: "Slow").first?.operationalStatus == .stopped)
        }
    }

    static let slowStack = #"""
    {"name": "slow", "version": "1", "cluster": {"id": 1, "name": "slow", "hosts": ["host-1", "host-2", "host-3"]},
     "services": [{"name": "Slow", "roles": [{"name": "SlowServer", "hosts": ["host-2"],
       "process": {"start": ["{steward}", "role", "--config", "{conf_dir}/role.json"],
                   "check": {"type": "http", "port_parameter": "port", "path": "/health"},
                   "start_timeout_seconds": 1, "stop_timeout_seconds": 5},
       "configurations": [{"name": "port", "type": "PORT", "default": "21500"},
                          {"name": "startup_delay_ms", "type": "INT", "default": "60000", "min": 0}],
       "config_files": [{"name": "role.json", "format": "json"}]}]}]}
    """#
}

/// `steward demo` as a newcomer runs it, but with stdout and stderr to a pipe.
struct PipedDemo {
    let dir: String
    let port: Int
    let output: PipeOutput
    let pid: pid_t
    var url: String { "http://127.0.0.1:\(port)" }
    var api: StewardClient { StewardClient(baseURL: url, user: "admin", password: "demo-pw") }

    init(name: String) throws {
        dir = NSTemporaryDirectory() + "steward-demo-\(name)-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        port = try freePort()
        output = try PipeOutput(path: dir + "/output.fifo")
        pid = try ProcessControl.spawn(
            [TestCluster.binary, "demo", "--data-dir", dir, "--port", String(port), "--admin-password", "demo-pw",
             "--port-shift", String(TestCluster.freePortShift())],
            environment: ProcessInfo.processInfo.environment, logPath: output.path, newSession: true)
        output.startReading()
    }

    func waitForHosts() async throws {
        let api = self.api
        _ = try await waitFor("the demo's three hosts", timeout: .seconds(120)) { () -> Bool? in
            let hosts = (try? await api.hosts()) ?? []
            return hosts.filter { $0.status == .connected }.count == 3 ? true : nil
        }
    }

    func exitStatus() async throws -> Int32 {
        try await waitFor("the demo to exit", timeout: .seconds(120)) { () -> Int32? in
            if case .exited(let status) = ProcessControl.liveness(pid) { return status }
            return nil
        }
    }

    func child(_ subcommand: String) -> pid_t? { children(subcommand).first }

    /// Live children of the demo whose command line has the subcommand, from
    /// /proc/<pid>/stat ("pid (comm) state ppid ...") and /proc/<pid>/cmdline.
    func children(_ subcommand: String) -> [pid_t] {
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }
        return pids.filter { candidate in
            guard let stat = try? String(contentsOfFile: "/proc/\(candidate)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && fields[0] != "Z" && pid_t(fields[1]) == pid
                && ProcessControl.commandLine(candidate)?.split(separator: " ").dropFirst().first.map(String.init) == subcommand
        }
    }

    /// SIGTERM if it still runs: it then stops its children rather than leaving them behind.
    func cleanUp() {
        if ProcessControl.liveness(pid) == .running { kill(pid, SIGTERM) }
        output.finish()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// A process's stdout and stderr through a named pipe, read as they come:
/// not a terminal, so whatever the process leaves in stdio's buffer stays
/// unseen until it exits.
final class PipeOutput: Sendable {
    let path: String
    private let fd: Int32
    private let received = Mutex<[UInt8]>([])
    private let stopped = Atomic<Bool>(false)

    /// Opens the reading end first (without waiting for a writer), so that
    /// the process's open of the writing end does not block.
    init(path: String) throws {
        self.path = path
        guard mkfifo(path, 0o600) == 0 else { throw Missing(description: "mkfifo \(path): errno \(errno)") }
        fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw Missing(description: "open \(path): errno \(errno)") }
    }

    var text: String { received.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Call once the writer has opened the pipe (after spawn returns): from
    /// then on a read of nothing means every writer has closed it.
    func startReading() {
        Thread.detachNewThread { self.pump() }
    }

    func finish() {
        stopped.store(true, ordering: .relaxed)
    }

    private func pump() {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !stopped.load(ordering: .relaxed) {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            let count = read(fd, &chunk, chunk.count)
            if count > 0 {
                received.withLock { $0.append(contentsOf: chunk[0..<count]) }
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                break
            }
        }
        close(fd)
        unlink(path)
    }
}
