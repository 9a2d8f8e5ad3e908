@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// The center's part of a rolling restart: only running instances, the
/// service's lock alone, the tick beginning a batch once its pause has passed,
/// and the RESTART task's timeout covering the stop and the start.
@Suite("Command center: rolling restart")
struct RollingRestartCenterTests {
    /// Reports the Coordinator's instances on `hosts` running, as their agents would.
    func running(_ h: CenterHarness, _ hosts: [String]) async {
        for host in hosts {
            await h.cluster.record(InstanceReport(service: "Coordinator", role: "CoordinatorServer", status: .started, health: .good,
                                                  pid: 42, configDigest: nil, observedAt: h.clock.now() * 1000), host: host)
        }
    }

    @Test func theTickBeginsTheNextBatchOnlyOnceThePauseHasPassed() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        await running(h, ["host-1", "host-2", "host-3"])
        let command = try await h.center.submitRollingRestart(service: "Coordinator", policy: RollingPolicy(pauseSeconds: 10), user: "alice")
        #expect(command.services == ["Coordinator"], "the service alone is held, as by a restart with only_self")
        #expect(await h.center.runningCommand(for: "Storage") == nil)
        let first = await h.agents.take()
        #expect(first.map(\.instance.host) == ["host-1"])
        #expect(first.map(\.operation) == [.restart])
        let process = try #require(h.stack.role("CoordinatorServer")?.1.process)
        #expect(first[0].timeoutSeconds == process.stopTimeoutSeconds + process.startTimeoutSeconds + 5)

        await h.deliver(first[0])
        await h.center.tick()
        #expect(await h.agents.take().isEmpty, "the pause has not passed")
        h.clock.advance(seconds: 9)
        await h.center.tick()
        #expect(await h.agents.take().isEmpty, "nor after 9 s")
        h.clock.advance(seconds: 1)
        await h.center.tick()
        #expect(await h.agents.take().map(\.instance.host) == ["host-2"])
        let stored = try await h.stored(command.id)
        #expect(stored.steps[1].state == .running)
        #expect(stored.steps[1].startedAt == h.clock.now())
    }

    @Test func onlyRunningInstancesAreRestartedAndNoneRunningIsRefused() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        await #expect(throws: StewardError.self) {
            _ = try await h.center.submitRollingRestart(service: "Coordinator", policy: RollingPolicy(), user: "alice")
        }
        #expect(await h.center.runningCommand(for: "Coordinator") == nil)
        await running(h, ["host-1", "host-3"])
        let command = try await h.center.submitRollingRestart(service: "Coordinator", policy: RollingPolicy(batchSize: 5), user: "alice")
        #expect(command.steps.map(\.name) == ["Restart batch 1 of 1: CoordinatorServer@host-1, CoordinatorServer@host-3"])
        await h.succeedAll()
        let stored = try await h.stored(command.id)
        #expect(stored.state == .complete)
        #expect(stored.errorDescription == "Not restarted, as they were not running: CoordinatorServer@host-2.")
    }

    @Test func aBusyServiceIsRefusedAsForAnyCommand() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        await running(h, ["host-1"])
        _ = try await h.center.submit(.stopService, service: "Coordinator", onlySelf: true, user: "alice")
        do {
            _ = try await h.center.submitRollingRestart(service: "Coordinator", policy: RollingPolicy(), user: "alice")
            Issue.record("a held service was restarted")
        } catch let error as StewardError {
            #expect(error.code == .serviceBusy)
        }
    }
}
