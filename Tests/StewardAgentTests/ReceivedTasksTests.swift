import StewardAPI
import Testing
@testable import StewardAgent

/// At-least-once delivery as the agent sees it: every poll acknowledges the
/// previous answer, and a task delivered again runs only once.
@Suite struct ReceivedTasksTests {
    @Test("new tasks pass, in order, and the next poll acknowledges them")
    func newTasks() {
        var received = ReceivedTasks()
        #expect(received.acknowledgements.isEmpty)
        #expect(received.accept([task(1), task(2)]).map(\.taskId) == [1, 2])
        #expect(received.acknowledgements == [1, 2])
    }

    @Test("a repeat is dropped but acknowledged again, or the manager would keep sending it")
    func repeats() {
        var received = ReceivedTasks()
        _ = received.accept([task(1), task(2)])
        #expect(received.accept([task(2), task(3), task(3)]).map(\.taskId) == [3])
        #expect(received.acknowledgements == [2, 3, 3])
    }

    @Test("only the last answer is acknowledged: an empty one acknowledges nothing")
    func lastAnswerOnly() {
        var received = ReceivedTasks()
        _ = received.accept([task(1)])
        _ = received.accept([])
        #expect(received.acknowledgements.isEmpty)
        #expect(received.accept([task(1)]).isEmpty, "still remembered")
    }

    @Test("a new connection acknowledges nothing yet, and still drops what already ran")
    func reconnect() {
        var received = ReceivedTasks()
        _ = received.accept([task(7)])
        received.reconnected()
        #expect(received.acknowledgements.isEmpty)
        #expect(received.accept([task(7), task(8)]).map(\.taskId) == [8])
    }

    @Test("bounded: past the capacity the oldest id is forgotten, the newer ones are not")
    func bounded() {
        var received = ReceivedTasks(capacity: 2)
        _ = received.accept([task(1), task(2), task(3)])
        #expect(received.accept([task(3), task(2)]).isEmpty)
        #expect(received.accept([task(1)]).map(\.taskId) == [1])
    }

    private func task(_ id: Int64) -> AgentTask {
        AgentTask(taskId: id, commandId: 1, instance: InstanceRef(service: "S", role: "R", host: "h"), operation: .start,
                  process: ProcessSpec(start: ["true"], check: .process, startTimeoutSeconds: 1, stopTimeoutSeconds: 1),
                  configuration: [:], configFiles: [], configDigest: "d", timeoutSeconds: 1)
    }
}
