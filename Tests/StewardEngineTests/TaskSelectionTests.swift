import Foundation
import StewardAPI
import StewardEngine
import Testing

/// A big step's document: every task counted, a bounded choice listed
/// (failed, then running, then the rest, each by id; listed in id order),
/// the rest paged.
@Suite("Task counts, selection and pages")
struct TaskSelectionTests {
    /// A step whose tasks have the given states, ids 1... in that order unless given.
    static func step(_ states: [ExecutionState], ids: [Int64]? = nil) -> Step {
        let tasks = states.enumerated().map { i, state in
            var task = CommandTask(id: ids?[i] ?? Int64(i + 1), instance: TestStack.ref("GatewayServer", "host-\(i + 1)"),
                                   operation: .start)
            task.state = state
            if state == .failed { task.errorCode = .hostLost }
            return task
        }
        return Step(index: 0, name: "Start GatewayServer", description: "", tasks: tasks)
    }

    @Test func countsCoverEveryTaskInEveryState() {
        let step = Self.step([.failed, .running, .succeeded, .succeeded, .pending, .skipped, .failed])
        let counts = step.taskStates
        #expect(counts.failed == 2 && counts.running == 1 && counts.succeeded == 2 && counts.pending == 1 && counts.skipped == 1)
        #expect(ExecutionState.allCases.map { counts[$0] }.reduce(0, +) == step.tasks.count)
    }

    @Test func failedAreChosenFirstThenRunningThenTheRestAndListedInIdOrder() {
        let step = Self.step([.succeeded, .running, .failed, .pending, .running, .failed, .skipped])
        #expect(step.tasksToLookAt(limit: nil).map(\.id) == [1, 2, 3, 4, 5, 6, 7])
        #expect(step.tasksToLookAt(limit: 7).map(\.id) == [1, 2, 3, 4, 5, 6, 7])
        #expect(step.tasksToLookAt(limit: 4).map(\.id) == [2, 3, 5, 6])
        #expect(step.tasksToLookAt(limit: 3).map(\.id) == [2, 3, 6])
        #expect(step.tasksToLookAt(limit: 2).map(\.id) == [3, 6])
        #expect(step.tasksToLookAt(limit: 1).map(\.id) == [3])
        #expect(step.tasksToLookAt(limit: 0).isEmpty)
        // Among the rest, the lowest ids.
        #expect(step.tasksToLookAt(limit: 5).map(\.id) == [1, 2, 3, 5, 6])
    }

    @Test func aLaterFailedTaskStillDisplacesEarlierRunningOnes() {
        // The running ones come first in id order; the limit is filled by the failed one found last.
        let step = Self.step([.running, .running, .running, .failed])
        #expect(step.tasksToLookAt(limit: 2).map(\.id) == [1, 4])
    }

    @Test func tasksOutOfIdOrderAreChosenInIdOrder() {
        let step = Self.step([.failed, .pending, .failed, .pending], ids: [9, 4, 2, 7])
        #expect(step.tasksToLookAt(limit: 3).map(\.id) == [2, 4, 9])
        #expect(step.taskPage(state: nil, offset: 0, limit: 10).tasks.map(\.id) == [2, 4, 7, 9])
    }

    @Test func theDocumentListsAtMostTheLimitAndCountsTheRest() throws {
        let states = (0..<1_000).map { i -> ExecutionState in i % 100 == 7 ? .failed : i < 600 ? .succeeded : .running }
        var command = Command(id: 1, kind: .startService, clusterId: 1, target: "Gateway", user: "u", services: ["Gateway"],
                              steps: [Self.step(states)], createdAt: 0)
        command.steps[0].state = .running
        let doc = ProgressDocument(command, taskLimit: ProgressDocument.defaultTaskLimit)
        let entry = try #require(doc.stepList.first)
        #expect(entry.taskCount == 1_000)
        #expect(entry.taskStates.failed == 10 && entry.taskStates.running == 396 && entry.taskStates.succeeded == 594)
        #expect(entry.tasks.count == 20 && entry.tasksOmitted == 980)
        // All ten failed, then the ten running ones of lowest id (601...), listed in id order.
        let failed = command.steps[0].tasks.filter { $0.state == .failed }.map(\.id)
        let running = command.steps[0].tasks.filter { $0.state == .running }.map(\.id).prefix(10)
        #expect(entry.tasks.map(\.id) == (failed + running).sorted())
        // Without a limit (a dry run's plan) every task is listed and none omitted.
        let all = try #require(ProgressDocument(command).stepList.first)
        #expect(all.tasks.count == 1_000 && all.tasksOmitted == 0)
    }

    @Test func countsAndOmissionsRoundTripOnTheWire() throws {
        var command = Command(id: 1, kind: .startService, clusterId: 1, target: "Gateway", user: "u", services: ["Gateway"],
                              steps: [Self.step([.failed, .succeeded, .succeeded])], createdAt: 0)
        command.state = .failed
        let envelope = Envelope(progressOf: command, taskLimit: 1)
        let data = try JSONEncoder().encode(envelope)
        let step = try #require(((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["res_obj"] as? [String: Any])?["step_list"]
            as? [[String: Any]]).first
        #expect(step?["task_count"] as? Int == 3)
        #expect(step?["tasks_omitted"] as? Int == 2)
        #expect(step?["task_states"] as? [String: Int] == ["PENDING": 0, "RUNNING": 0, "SUCCEEDED": 2, "FAILED": 1, "SKIPPED": 0])
        let decoded = try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: data)
        #expect(decoded.resObj == envelope.resObj)
    }

    @Test func pagesFilterByStateAndStopAtTheEnd() {
        let step = Self.step((0..<250).map { $0 % 2 == 0 ? .failed : .succeeded })
        let first = step.taskPage(state: nil, offset: 0, limit: 100)
        #expect(first.total == 250 && first.tasks.map(\.id) == Array(1...100))
        #expect(step.taskPage(state: nil, offset: 200, limit: 100).tasks.map(\.id) == Array(201...250))
        #expect(step.taskPage(state: nil, offset: 250, limit: 100).tasks.isEmpty)
        let failed = step.taskPage(state: .failed, offset: 10, limit: 5)
        #expect(failed.total == 125 && failed.tasks.map(\.id) == [21, 23, 25, 27, 29])
        let none = step.taskPage(state: .running, offset: 0, limit: 5)
        #expect(none.total == 0 && none.tasks.isEmpty)
    }

    @Test func descriptionsNameTenAndCountTheRest() {
        let hosts = (1...25).map { "host-\($0)" }
        #expect(Planner.listing(Array(hosts.prefix(10)), noun: "hosts") == hosts.prefix(10).joined(separator: ", "))
        #expect(Planner.listing(hosts, noun: "hosts") == hosts.prefix(10).joined(separator: ", ") + " and 15 more hosts")
        // A step of 25 tasks that all fail: its command's error names ten.
        var command = Command(id: 1, kind: .startService, clusterId: 1, target: "Gateway", user: "u", services: ["Gateway"],
                              steps: [Self.step(Array(repeating: .pending, count: 25))], createdAt: 0)
        _ = command.advance(now: 1)
        for task in command.steps[0].tasks { _ = command.complete(taskID: task.id, outcome: .failure(.hostLost, "lost"), now: 2) }
        #expect(command.state == .failed)
        #expect(command.errorDescription.hasPrefix("Step 'Start GatewayServer' failed: 25 of 25 instance(s) failed to start: "
                                                   + "GatewayServer@host-1 (lost); GatewayServer@host-2 (lost)"))
        #expect(command.errorDescription.hasSuffix("GatewayServer@host-10 (lost) and 15 more instances"), "\(command.errorDescription)")
    }
}
