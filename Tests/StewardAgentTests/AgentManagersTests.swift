#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StewardAPI
import StewardSystem
import Testing
@testable import StewardAgent

/// A whole agent (in this process) against managers played by the test: it
/// moves to the next manager of its list when its own stops answering, keeps
/// each result until a manager accepts it, and never runs a task twice,
/// whether a manager hands it out again or the agent itself restarts.
@Suite struct AgentManagersTests {
    let root = NSTemporaryDirectory() + "steward-agent-managers-\(UUID().uuidString)"
    /// STEWARD_TEST_LOG=1 shows the agent's log (its moves) on stderr.
    let logger = Logger(label: "agent") { label in
        ProcessInfo.processInfo.environment["STEWARD_TEST_LOG"] == nil ? SwiftLogNoOpLogHandler() as any LogHandler : StreamLogHandler.standardError(label: label)
    }

    @Test("given a dead manager first, the agent registers with the live one and runs its tasks")
    func deadThenLive() async throws {
        let live = try await FakeManager.start()
        let agent = start(["http://127.0.0.1:\(try closedPort())", live.url])
        live.update { $0.tasks = [task(1, .start)] }
        let result = try await eventually("the result on the live manager") { live.snapshot.results.first { $0.taskId == 1 } }
        #expect(result.succeeded, "\(result.detail)")
        #expect(live.snapshot.registrations.count == 1)
        await stop(agent, [live])
    }

    @Test("a task handed out again, also to a restarted agent, runs once: same pid, and its result comes each time")
    func repeatedTaskRunsOnce() async throws {
        let manager = try await FakeManager.start()
        // A restart started twice would replace the process: its pid tells.
        manager.update { $0.repeatTasks = true; $0.tasks = [task(1, .restart)] }
        var agent = start([manager.url])
        let first = try await eventually("the result, sent again") { () -> [AgentTaskResult]? in
            let results = manager.snapshot.results.filter { $0.taskId == 1 }
            return results.count >= 3 ? results : nil
        }
        let pid = try #require(first[0].instance.pid)
        #expect(first.allSatisfy { $0.succeeded && $0.instance.pid == pid && $0.detail == first[0].detail })
        await stop(agent, [])

        // A new agent process on the same data directory: the task is still known, with its result.
        let before = manager.snapshot.results.count
        agent = start([manager.url])
        let again = try await eventually("the result from the restarted agent") { () -> [AgentTaskResult]? in
            let results = manager.snapshot.results
            return results.count >= before + 2 ? Array(results[before...]) : nil
        }
        #expect(again.allSatisfy { $0.taskId == 1 && $0.instance.pid == pid && $0.detail == first[0].detail })
        #expect(Set(manager.snapshot.registrations).count == 2, "two agent processes")
        #expect(ProcessControl.liveness(pid) == .running)
        #expect(SecretFile.read(root + "/instances/R/pid") == "\(pid)")
        await stop(agent, [manager])
    }

    @Test("a result its manager did not take goes to the next manager, registered with the same incarnation; and back")
    func resultFollowsTheAgent() async throws {
        let a = try await FakeManager.start()
        let b = try await FakeManager.start()
        // A's database is gone: it answers 503, as a manager does then.
        a.update { $0.refuseResults = true; $0.tasks = [task(1, .start)] }
        let agent = start([a.url, b.url])
        let result = try await eventually("the result on the next manager") { b.snapshot.results.first { $0.taskId == 1 } }
        #expect(result.succeeded)
        #expect(a.snapshot.results.isEmpty)
        let incarnation = try #require(a.snapshot.registrations.first)
        #expect(b.snapshot.registrations == [incarnation], "the same process: not a restarted agent")

        // B goes away in turn: round robin, back to A, which now takes work and results.
        a.update { $0.refuseResults = false; $0.tasks = [task(2, .stop)] }
        b.update { $0.down = true }
        _ = try await eventually("task 2's result on A") { a.snapshot.results.first { $0.taskId == 2 } }
        #expect(a.snapshot.registrations.allSatisfy { $0 == incarnation } && a.snapshot.registrations.count == 2)
        #expect(!a.snapshot.results.contains { $0.taskId == 1 }, "accepted by B: not sent again")
        await stop(agent, [a, b])
    }

    // A manager that dies while a task runs is not played here: stopping an in-process Hummingbird
    // server while the agent keeps connecting to it can crash NIO ("Deinited NIOAsyncWriter without
    // calling finish()"), which ends the whole test process. The real binaries cover it: the SQLite
    // manager killed mid-command (FailureTests) and the drivers killed in the HA drills (HADrillTests).

    // MARK: support

    typealias Running = (agent: Agent, task: Task<Void, Never>)

    func start(_ managers: [String]) -> Running {
        let agent = Agent(options: AgentOptions(managerURLs: managers, host: "host-1", dataDirectory: root, token: "join"),
                          logger: logger)
        return (agent, Task { await agent.run() })
    }

    /// Stops the agent, the managers and the role process, and removes the data.
    func stop(_ running: Running, _ managers: [FakeManager]) async {
        running.task.cancel()
        await running.task.value
        await running.agent.shutdown()
        for manager in managers { await manager.stop() }
        guard !managers.isEmpty else { return }
        if let pid = SecretFile.read(root + "/instances/R/pid").flatMap(pid_t.init), pid > 1 { kill(-pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    func task(_ id: Int64, _ operation: StewardAPI.Operation, check: HealthCheck = .process) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "S", role: "R", host: "host-1"), operation: operation,
                  process: ProcessSpec(start: ["/bin/sh", "-c", "exec sleep 60"], check: check,
                                       startTimeoutSeconds: 10, stopTimeoutSeconds: 5),
                  configuration: [:], configFiles: [], configDigest: "d", timeoutSeconds: 10)
    }

    /// A loopback port nothing listens on: connecting is refused at once, as to a dead manager.
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// Waits for a condition (no fixed sleeps): `probe` returns a value when it holds.
func eventually<T: Sendable>(_ what: String, timeout: Duration = .seconds(30), _ probe: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(25))
    }
    throw POSIXError(.ETIMEDOUT)
}
