#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StewardSystem
import Testing

/// The StewardSystem process helpers the agent and the demo are built on, over real processes.
@Suite struct ReaperTests {
    func spawn(_ script: String) throws -> pid_t {
        try ProcessControl.spawn(["/bin/sh", "-c", script], environment: ProcessInfo.processInfo.environment, logPath: nil)
    }

    @Test("the reaper remembers how a child ended for every later check; waitpid alone tells it once")
    func remembersExit() async throws {
        let reaper = Reaper()
        let pid = try spawn("exit 7")
        #expect(await reaper.waitGone(pid, timeout: .seconds(60)))
        #expect(reaper.liveness(pid) == .exited(status: 7))
        #expect(reaper.liveness(pid) == .exited(status: 7))
        #expect(ProcessControl.liveness(pid) == .gone, "already reaped")
        reaper.forget(pid)
        #expect(reaper.liveness(pid) == .gone)
    }

    @Test("a signal shows as 128 + its number, described as the signal")
    func signalled() async throws {
        let reaper = Reaper()
        let pid = try spawn("exec sleep 30")
        kill(pid, SIGKILL)
        #expect(await reaper.waitGone(pid, timeout: .seconds(60)))
        guard case .exited(let status) = reaper.liveness(pid) else {
            Issue.record("not an exit: \(reaper.liveness(pid))")
            return
        }
        #expect(ProcessControl.describeExit(status) == "signal 9")
        #expect(ProcessControl.describeExit(1) == "status 1")
        #expect(ProcessControl.describeExit(0) == "status 0")
    }

    @Test("stopGroup: SIGTERM ends a willing process; one that ignores it is killed after the grace")
    func stopGroup() async throws {
        let reaper = Reaper()
        let willing = try spawn("exec sleep 30")
        #expect(await reaper.stopGroup(willing, grace: .seconds(60)) == .terminated)
        #expect(await reaper.stopGroup(willing, grace: .seconds(60)) == .notRunning)

        let log = NSTemporaryDirectory() + "steward-reaper-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let stubborn = try ProcessControl.spawn(["/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 30"],
                                                environment: [:], logPath: log)
        let deadline = ContinuousClock.now + .seconds(60)
        while !ProcessControl.tail(of: log).contains("ready") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await reaper.stopGroup(stubborn, grace: .milliseconds(200)) == .killed)
    }

    @Test("a stop in a cancelled task still gives the process its grace: the waits are not cut short")
    func stopWhenCancelled() async throws {
        let reaper = Reaper()
        let pid = try spawn("exec sleep 30")
        let stop = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await reaper.stopGroup(pid, grace: .seconds(60))
        }
        #expect(await stop.value == .terminated)
    }

    @Test("lastLine: the last line with text, cut to a length")
    func lastLine() {
        #expect(ProcessControl.lastLine(of: "first\nerror: it broke\n\n  \n") == "error: it broke")
        #expect(ProcessControl.lastLine(of: "") == nil)
        #expect(ProcessControl.lastLine(of: "abcdef", maxLength: 3) == "abc")
    }
}

@Suite struct RestartBudgetTests {
    @Test("restarts are numbered up to the limit, each pause twice the last up to the cap; then none")
    func spends() {
        var budget = RestartBudget(limit: 4, firstDelay: .seconds(1), maxDelay: .seconds(5), stableAfter: .seconds(60))
        let restarts = (0..<5).map { _ in budget.next(afterRunningFor: .seconds(1)) }
        #expect(restarts.map { $0?.attempt } == [1, 2, 3, 4, nil])
        #expect(restarts.map { $0?.delay } == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), nil])
    }

    @Test("a process that ran long enough starts its count over")
    func startsOver() {
        var budget = RestartBudget(limit: 2, firstDelay: .seconds(1), maxDelay: .seconds(5), stableAfter: .seconds(60))
        _ = budget.next(afterRunningFor: .seconds(1))
        _ = budget.next(afterRunningFor: .seconds(1))
        #expect(budget.next(afterRunningFor: .seconds(59)) == nil)
        #expect(budget.next(afterRunningFor: .seconds(60))?.attempt == 1)
    }
}
