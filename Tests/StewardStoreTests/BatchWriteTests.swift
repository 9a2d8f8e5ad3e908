import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// Large commands are written in a few multi-row statements, and many
/// transitions in one transaction; what is read back is what was written.
@Suite("Batched writes")
struct BatchWriteTests {
    /// A command of `steps` steps of `perStep` tasks each, on as many hosts.
    static func big(steps: Int, perStep: Int) -> Command {
        let planned = (0..<steps).map { s in
            Step(index: s, name: "Start Role\(s)", description: "Start Role\(s) of Big",
                 tasks: (1...perStep).map { CommandTask(instance: InstanceRef(service: "Big", role: "Role\(s)", host: "host-\($0)"),
                                                        operation: .start) })
        }
        return Command(kind: .startService, clusterId: 1, target: "Big", user: "admin", services: ["Big"], steps: planned,
                       createdAt: 1)
    }

    @Test(arguments: Backend.all) func aCommandLargerThanOneStatementGetsEveryTaskIdInOrder(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let perStep = (SQLStore.rowsPerStatement * 2) / 3 + 67  // three statements, the last one short
            let count = perStep * 3
            let stored = try await store.insert(Self.big(steps: 3, perStep: perStep), saving: [], now: 1)
            let ids = stored.steps.flatMap(\.tasks).map(\.id)
            #expect(ids.count == count)
            #expect(ids == ids.sorted() && Set(ids).count == count, "ids follow the plan's order, none shared")
            let reread = try #require(try await store.command(id: stored.id))
            #expect(reread == stored)
            #expect(reread.steps[2].tasks.last?.instance.host == "host-\(perStep)")
        }
    }

    @Test(arguments: Backend.all) func transitionsOfSeveralCommandsAreStoredTogether(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            var first = try await store.insert(Self.big(steps: 2, perStep: 600), saving: [], now: 1)
            var second = try await store.insert(try Fixtures.command(.startService, service: "Storage"), saving: [], now: 1)
            var firstChange = first.advance(now: 2)
            var secondChange = second.advance(now: 2)
            for (n, task) in first.runningTasks.enumerated() {
                let outcome = n == 7 ? TaskOutcome.failure(.taskFailed, "exit 3 'quoted'") : TaskOutcome(succeeded: true, outputTail: "ok \(n)")
                firstChange.merge(first.complete(taskID: task.id, outcome: outcome, now: 3 + Millis(n)))
            }
            for task in second.runningTasks { secondChange.merge(second.complete(taskID: task.id, outcome: .init(succeeded: true), now: 9)) }
            #expect(first.state == .failed && second.steps[1].state == .running)
            try await store.save([(first, firstChange), (second, secondChange)])
            #expect(try await store.command(id: first.id) == first)
            #expect(try await store.command(id: second.id) == second)
        }
    }
}
