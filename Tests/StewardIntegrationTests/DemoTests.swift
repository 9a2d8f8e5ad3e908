#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardClient
import StewardAPI
import StewardSystem
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

    @Test("a start that outlasts the role's start timeout fails with the reason and the process is killed")
    func startTimeout() async throws {
        let stackFile = NSTemporaryDirectory() + "steward-slow-stack-\(getpid()).json"
        try Self.slowStack.write(toFile: stackFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: stackFile) }
        try await withCluster(stack: stackFile) { cluster, api in
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
