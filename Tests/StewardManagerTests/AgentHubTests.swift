@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// What the hub does when a host's agent comes back as a new process.
@Suite("Agent hub")
struct AgentHubTests {
    static func task(_ id: Int64) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "S", role: "R", host: "h"), operation: .start,
                  process: ProcessSpec(start: ["true"], check: .process, startTimeoutSeconds: 5, stopTimeoutSeconds: 5),
                  configuration: [:], configFiles: [], configDigest: "", timeoutSeconds: 5)
    }

    @Test func aNewProcessLosesOnlyWhatTheOldOneAcknowledged() async throws {
        let hub = try await AgentHub.forTest(hosts: ["h"])
        #expect(await hub.register("h", incarnation: "one").isEmpty, "a first registration is no restart")
        await hub.enqueue([Self.task(1), Self.task(2)], for: "h")
        #expect(await hub.poll(host: "h", received: [], timeoutMs: 10).tasks.map(\.taskId) == [1, 2])
        // The next poll acknowledges 1 only: 2 is handed out again, with 3.
        await hub.enqueue([Self.task(3)], for: "h")
        #expect(await hub.poll(host: "h", received: [1], timeoutMs: 10).tasks.map(\.taskId) == [2, 3])
        await hub.enqueue([Self.task(4)], for: "h")
        // The same process registering again (say, after a manager restart) changes nothing.
        #expect(await hub.register("h", incarnation: "one").isEmpty)
        // A new process: task 1 was in the old one's hands and is lost; 2 and 3
        // were handed out but never acknowledged, and 4 never left the queue:
        // all three go to the new process.
        #expect(await hub.register("h", incarnation: "two") == [1])
        #expect(await hub.poll(host: "h", received: [], timeoutMs: 10).tasks.map(\.taskId).sorted() == [2, 3, 4])
    }

    /// A revocation between a poll's authentication and its wait must still
    /// end it at once: otherwise the revoked agent holds a poll open.
    @Test(.timeLimit(.minutes(1))) func aPollAuthenticatedBeforeADisconnectDoesNotWait() async throws {
        let hub = try await AgentHub.forTest(hosts: ["h"])
        let before = await hub.disconnects(of: "h")
        await hub.disconnect("h")
        #expect(await hub.poll(host: "h", received: [], timeoutMs: 600_000, disconnects: before).tasks.isEmpty)
        // Tasks outstanding for a host are remembered until settled: a result is checked against them.
        await hub.enqueue([Self.task(5)], for: "h")
        #expect(await hub.host(ofTask: 5) == "h")
        await hub.settled(5, host: "h")
        #expect(await hub.host(ofTask: 5) == nil)
    }

    @Test func aSettledTaskIsNotLost() async throws {
        let hub = try await AgentHub.forTest(hosts: ["h"])
        _ = await hub.register("h", incarnation: "one")
        await hub.enqueue([Self.task(1), Self.task(2)], for: "h")
        _ = await hub.poll(host: "h", received: [], timeoutMs: 10)
        _ = await hub.poll(host: "h", received: [1, 2], timeoutMs: 10)
        await hub.settled(1, host: "h")
        let lost = await hub.register("h", incarnation: "two")
        #expect(lost == [2], "\(lost)")
        #expect(await hub.register("h", incarnation: "three").isEmpty)
    }

    /// What agents say reaches the center as events, and only through the hub.
    @Test func resultsRestartsAndLostHostsBecomeEventsForTheCenter() async throws {
        let clock = ManualClock()
        let hub = try await AgentHub.forTest(hosts: ["host-1", "host-2"], heartbeatTimeoutMs: 5000, clock: clock)
        let sink = RecordingSink()
        await hub.connect(sink)
        let report = InstanceReport(service: "Coordinator", role: "CoordinatorServer", status: .started, health: .good,
                                    pid: 1, configDigest: nil, observedAt: 1)
        _ = try await hub.hello(AgentHello(host: "host-1", agentVersion: "t", instances: [], incarnation: "a"))
        _ = try await hub.hello(AgentHello(host: "host-2", agentVersion: "t", instances: [], incarnation: "a"))
        await hub.enqueue([Self.task(7)], for: "host-1")
        _ = try await hub.poll(AgentPoll(host: "host-1", received: []), timeoutMs: 10)
        _ = try await hub.poll(AgentPoll(host: "host-1", received: [7]), timeoutMs: 10)
        try await hub.result(AgentTaskResult(host: "host-1", taskId: 7, succeeded: true, detail: "", exitCode: nil,
                                             outputTail: "", instance: report))
        // The result settled task 7: a restart now loses nothing.
        #expect(try await hub.hello(AgentHello(host: "host-1", agentVersion: "t", instances: [], incarnation: "b")).isEmpty)
        // host-2 goes quiet past the timeout; host-1 keeps talking.
        clock.advance(seconds: 4)
        try await hub.heartbeat(AgentHeartbeat(host: "host-1", instances: [report]))
        clock.advance(seconds: 2)
        await hub.checkHeartbeats()
        let events = await sink.events
        #expect(events.count == 2, "\(events)")
        guard case .result(let result) = events.first, case .hostLost(let host) = events.last else {
            Issue.record("expected a result, then a lost host: \(events)")
            return
        }
        #expect(result.taskId == 7)
        #expect(host == "host-2")
        #expect(await hub.isLost("host-2"))
        #expect(await !hub.isLost("host-1"))
    }

    @Test func aHostOutsideTheClusterIsRefusedAndNothingReachesTheCenter() async throws {
        let hub = try await AgentHub.forTest(hosts: ["host-1"])
        let sink = RecordingSink()
        await hub.connect(sink)
        await #expect(throws: StewardError(.agentUnknownHost, "Host 'intruder' is not part of the cluster.")) {
            try await hub.output(AgentTaskOutput(host: "intruder", taskId: 1, outputTail: "x"))
        }
        #expect(await sink.events.isEmpty)
    }
}
