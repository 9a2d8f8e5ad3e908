@testable import StewardManager
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

    @Test func aNewProcessLosesOnlyWhatTheOldOneAcknowledged() async {
        let hub = AgentHub(hosts: ["h"], heartbeatTimeoutMs: 60_000)
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

    @Test func aSettledTaskIsNotLost() async {
        let hub = AgentHub(hosts: ["h"], heartbeatTimeoutMs: 60_000)
        _ = await hub.register("h", incarnation: "one")
        await hub.enqueue([Self.task(1), Self.task(2)], for: "h")
        _ = await hub.poll(host: "h", received: [], timeoutMs: 10)
        _ = await hub.poll(host: "h", received: [1, 2], timeoutMs: 10)
        await hub.settled(1, host: "h")
        let lost = await hub.register("h", incarnation: "two")
        #expect(lost == [2], "\(lost)")
        #expect(await hub.register("h", incarnation: "three").isEmpty)
    }
}
