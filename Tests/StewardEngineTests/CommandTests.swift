import Foundation
import StewardAPI
import StewardEngine
import Testing

@Suite("Command state machine")
struct CommandTests {
    // Start Gateway with its dependencies: steps of 3, 1, 3, 2 tasks; task ids 1...9.

    @Test func advanceStartsTheFirstStep() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        #expect(command.currentStepIndex == 0)
        #expect(command.totalStepSize == 4)
        let change = command.advance(now: 10)
        #expect(command.state == .inProgress)
        #expect(change.steps == [0])
        #expect(change.tasks == [1, 2, 3])
        #expect(change.dispatch.map(\.id) == [1, 2, 3])
        #expect(change.dispatch.allSatisfy { $0.state == .running && $0.startedAt == 10 && $0.operation == .start })
        #expect(change.dispatch.map(\.instance.description) == ["CoordinatorServer@host-1", "CoordinatorServer@host-2", "CoordinatorServer@host-3"])
        #expect(command.steps[0].state == .running)
        #expect(command.steps[0].startedAt == 10)
        #expect(command.steps[1...].allSatisfy { $0.state == .pending && $0.startedAt == nil })
        #expect(command.steps[1...].flatMap(\.tasks).allSatisfy { $0.state == .pending })
        #expect(command.runningIDs == [1, 2, 3])
        // Half of one of four steps: 12.5% rounded down.
        #expect(command.progress == 12)
    }

    @Test func advanceOnARunningStepChangesNothing() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        let before = command
        let change = command.advance(now: 20)
        #expect(change.isEmpty)
        #expect(change.dispatch.isEmpty)
        #expect(command == before)
    }

    @Test func completingAllTasksOfAStepStartsTheNext() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)

        let first = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 11)
        #expect(first.tasks == [1])
        #expect(first.steps.isEmpty)
        #expect(first.dispatch.isEmpty)
        #expect(command.steps[0].state == .running)
        let task1 = try #require(command.task(id: 1))
        #expect(task1.state == .succeeded)
        #expect(task1.endedAt == 11)
        #expect(task1.errorCode == nil)

        _ = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: true), now: 12)
        let last = command.complete(taskID: 3, outcome: TaskOutcome(succeeded: true, exitCode: 0, outputTail: "ok"), now: 13)
        #expect(last.steps == [0, 1])
        #expect(last.tasks == [3, 4])
        #expect(last.dispatch.map(\.id) == [4])
        #expect(last.dispatch.first?.instance == TestStack.ref("StorageMaster", "host-1"))
        #expect(command.steps[0].state == .succeeded)
        #expect(command.steps[0].endedAt == 13)
        #expect(command.steps[1].state == .running)
        #expect(command.steps[1].startedAt == 13)
        #expect(command.currentStepIndex == 1)
        #expect(command.task(id: 3)?.exitCode == 0)
        #expect(command.task(id: 3)?.outputTail == "ok")
        #expect(command.state == .inProgress)
    }

    @Test func runningEveryStepCompletesTheCommand() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        var dispatched: [Int64] = command.advance(now: 10).dispatch.map(\.id)
        var now: Millis = 10
        while command.state == .inProgress {
            now += 1
            for change in command.succeedRunning(now: now) { dispatched += change.dispatch.map(\.id) }
        }
        #expect(dispatched == Array(1...9))
        #expect(command.state == .complete)
        #expect(command.progress == 100)
        #expect(command.errorCode == .success)
        #expect(command.errorDescription == "")
        #expect(command.endedAt == now)
        #expect(command.currentStepIndex == nil)
        #expect(command.steps.allSatisfy { $0.state == .succeeded })
        #expect(command.steps.flatMap(\.tasks).allSatisfy { $0.state == .succeeded })
        #expect(command.failedTasks.isEmpty)
        #expect(command.runningTasks.isEmpty)
    }

    @Test func aFailedTaskFailsTheStepAndTheCommand() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 11)
        let failure = command.complete(taskID: 2, outcome: .failure(.taskTimedOut, "port 21102 is already in use"), now: 12)
        // The step waits for its other tasks before it fails.
        #expect(failure.tasks == [2])
        #expect(failure.steps.isEmpty)
        #expect(command.state == .inProgress)
        #expect(command.steps[0].state == .running)
        #expect(command.task(id: 2)?.state == .failed)
        #expect(command.task(id: 2)?.errorCode == .taskTimedOut)

        let change = command.complete(taskID: 3, outcome: TaskOutcome(succeeded: true), now: 13)
        #expect(command.state == .failed)
        #expect(command.errorCode == .taskTimedOut)
        #expect(command.errorDescription ==
            "Step 'Start CoordinatorServer' failed: 1 of 3 instance(s) failed to start: CoordinatorServer@host-2 (port 21102 is already in use)")
        #expect(command.endedAt == 13)
        #expect(command.progress < 100)
        #expect(command.steps.map(\.state) == [.failed, .skipped, .skipped, .skipped])
        #expect(command.steps[0].endedAt == 13)
        #expect(command.steps[1...].flatMap(\.tasks).allSatisfy { $0.state == .skipped })
        #expect(change.steps == [0, 1, 2, 3])
        #expect(change.tasks == Set(3...9))
        #expect(change.dispatch.isEmpty)
        #expect(command.failedTasks.map(\.id) == [2])
        #expect(command.runningTasks.isEmpty)
    }

    @Test func failureWithoutCodeOrDetailOnStop() throws {
        var command = try plannedCommand(.stopService, service: "Gateway")
        _ = command.advance(now: 1)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: false), now: 2)
        _ = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: false, errorCode: .hostLost, detail: "gone"), now: 3)
        #expect(command.state == .failed)
        // The first failed task in the step gives the code.
        #expect(command.errorCode == .taskFailed)
        #expect(command.errorDescription ==
            "Step 'Stop GatewayServer' failed: 2 of 2 instance(s) failed to stop: GatewayServer@host-2; GatewayServer@host-3 (gone)")
        #expect(command.progress < 100)
    }

    @Test func taskOutcomeCodes() {
        #expect(TaskOutcome(succeeded: true, errorCode: .hostLost).errorCode == nil)
        #expect(TaskOutcome(succeeded: false).errorCode == .taskFailed)
        #expect(TaskOutcome.failure(.taskTimedOut, "slow").errorCode == .taskTimedOut)
        #expect(TaskOutcome.failure(.taskTimedOut, "slow").detail == "slow")
        #expect(!TaskOutcome.failure(.taskTimedOut, "slow").succeeded)
    }

    // MARK: ignored completions

    @Test func completingAnUnknownTaskIsANoOp() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        let before = command
        let change = command.complete(taskID: 999, outcome: TaskOutcome(succeeded: false), now: 11)
        #expect(change.isEmpty)
        #expect(change.dispatch.isEmpty)
        #expect(command == before)
    }

    @Test func completingAPendingTaskIsANoOp() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        let before = command
        // Task 4 belongs to step 1, not started yet.
        #expect(command.complete(taskID: 4, outcome: TaskOutcome(succeeded: true), now: 11).isEmpty)
        #expect(command == before)
    }

    @Test func completingAFinishedTaskTwiceIsANoOp() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 11)
        let before = command
        #expect(command.complete(taskID: 1, outcome: .failure(.taskFailed, "late"), now: 12).isEmpty)
        #expect(command == before)
        #expect(command.task(id: 1)?.state == .succeeded)
    }

    @Test func completingAfterTheCommandEndedIsANoOp() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        _ = command.fail(code: .aborted, description: "stop", now: 11)
        let before = command
        #expect(command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 12).isEmpty)
        #expect(command.advance(now: 12).isEmpty)
        #expect(command == before)
    }

    // MARK: fail()

    @Test func failMarksRunningTasksFailedAndTheRestSkipped() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        _ = command.advance(now: 10)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 11)
        let change = command.fail(code: .managerRestarted, description: "manager restarted", now: 20)
        #expect(command.state == .failed)
        #expect(command.errorCode == .managerRestarted)
        #expect(command.errorDescription == "manager restarted")
        #expect(command.endedAt == 20)
        #expect(command.progress < 100)
        #expect(command.task(id: 1)?.state == .succeeded)
        for id: Int64 in [2, 3] {
            let task = try #require(command.task(id: id))
            #expect(task.state == .failed)
            #expect(task.errorCode == .managerRestarted)
            #expect(task.detail == "manager restarted")
            #expect(task.endedAt == 20)
        }
        for id: Int64 in 4...9 {
            let task = try #require(command.task(id: id))
            #expect(task.state == .skipped)
            #expect(task.errorCode == nil)
            #expect(task.detail == "")
        }
        #expect(command.steps.map(\.state) == [.failed, .skipped, .skipped, .skipped])
        #expect(change.steps == [0, 1, 2, 3])
        #expect(change.tasks == Set(2...9))
        #expect(change.dispatch.isEmpty)
        #expect(command.failedTasks.map(\.id) == [2, 3])
        // A second fail changes nothing.
        let before = command
        #expect(command.fail(code: .aborted, description: "again", now: 30).isEmpty)
        #expect(command == before)
    }

    @Test func failBeforeAdvanceSkipsEverything() throws {
        var command = try plannedCommand(.stopService, service: "Storage")
        let change = command.fail(code: .aborted, description: "aborted", now: 5)
        #expect(command.state == .failed)
        #expect(command.steps.allSatisfy { $0.state == .skipped })
        #expect(command.steps.flatMap(\.tasks).allSatisfy { $0.state == .skipped })
        #expect(command.failedTasks.isEmpty)
        #expect(change.steps == Set(command.steps.indices))
        #expect(change.tasks == Set(command.steps.flatMap(\.tasks).map(\.id)))
        #expect(command.progress < 100)
    }

    // MARK: zero-task steps

    @Test func aSaveWithoutRestartCompletesAtOnce() {
        var command = saveCommand()
        #expect(command.steps.map(\.name) == ["Save configuration"])
        let change = command.advance(now: 3)
        #expect(command.state == .complete)
        #expect(command.progress == 100)
        #expect(command.steps[0].state == .succeeded)
        #expect(command.steps[0].startedAt == 3 && command.steps[0].endedAt == 3)
        #expect(change.steps == [0])
        #expect(change.tasks.isEmpty)
        #expect(change.dispatch.isEmpty)
        #expect(!change.isEmpty)
    }

    @Test func aSaveWithRestartMovesPastTheSaveStep() {
        var command = saveCommand(restarting: [TestStack.ref("GatewayServer", "host-2")])
        #expect(command.steps.map(\.name) == ["Save configuration", "Stop GatewayServer", "Start GatewayServer"])
        let change = command.advance(now: 3)
        #expect(command.steps.map(\.state) == [.succeeded, .running, .pending])
        #expect(change.steps == [0, 1])
        #expect(change.dispatch.map(\.id) == [1])
        #expect(change.dispatch.first?.operation == .stop)
        // One of three steps done, one half-way: 50%.
        #expect(command.progress == 50)
        _ = command.succeedRunning(now: 4)
        _ = command.succeedRunning(now: 5)
        #expect(command.state == .complete)
        #expect(command.progress == 100)
    }

    @Test func aCommandWithoutStepsCompletes() {
        var command = Command(kind: .saveConfiguration, clusterId: 1, target: "", user: "u", services: [], steps: [], createdAt: 0)
        let change = command.advance(now: 1)
        #expect(command.state == .complete)
        #expect(command.progress == 100)
        #expect(change.isEmpty)
    }

    // MARK: progress

    @Test func stepFractionDone() {
        let ref = TestStack.ref("StorageNode", "host-1")
        var step = Step(index: 0, name: "s", description: "", tasks: [CommandTask(id: 1, instance: ref, operation: .start),
                                                                      CommandTask(id: 2, instance: ref, operation: .start)])
        #expect(step.fractionDone == 0)
        step.tasks[0].state = .running
        #expect(step.fractionDone == 0.25)
        step.tasks[0].state = .failed
        step.tasks[1].state = .skipped
        #expect(step.fractionDone == 1)
        var empty = Step(index: 0, name: "e", description: "", tasks: [])
        #expect(empty.fractionDone == 0)
        empty.state = .running
        #expect(empty.fractionDone == 1)
    }

    @Test func storedProgressIsAFloor() throws {
        var command = try plannedCommand(.startService, service: "Gateway")
        command.progress = 60
        command.recomputeProgress()
        #expect(command.progress == 60)
        _ = command.advance(now: 1)
        #expect(command.progress == 60)
    }

    /// Every order of success and every single failure point of a restart of
    /// everything: progress never decreases, and is 100 exactly when COMPLETE.
    @Test(arguments: [Int?.none] + (0..<18).map { Int?.some($0) })
    func progressIsMonotonic(failingCompletion: Int?) throws {
        var command = try plannedCommand(.restartService, service: "Coordinator")
        var history: [Int] = [command.progress]
        _ = command.advance(now: 1)
        history.append(command.progress)
        var completions = 0
        var now: Millis = 1
        while command.state == .inProgress {
            // Complete in reverse order, to not favour the plan's order.
            let id = try #require(command.runningIDs.last)
            now += 1
            let outcome = completions == failingCompletion
                ? TaskOutcome.failure(.taskFailed, "boom") : TaskOutcome(succeeded: true)
            let change = command.complete(taskID: id, outcome: outcome, now: now)
            #expect(change.tasks.contains(id))
            completions += 1
            history.append(command.progress)
            #expect((command.progress == 100) == (command.state == .complete))
        }
        #expect(zip(history, history.dropFirst()).allSatisfy { $0 <= $1 }, "progress went down: \(history)")
        if let failing = failingCompletion {
            #expect(command.state == .failed)
            #expect(command.progress < 100)
            #expect(completions <= 18 && completions > failing)
        } else {
            #expect(command.state == .complete)
            #expect(completions == 18)
            #expect(history.last == 100)
            #expect(history.dropLast().allSatisfy { $0 < 100 })
        }
    }

    @Test func progressThroughFailIsMonotonic() throws {
        var command = try plannedCommand(.restartService, service: "Storage")
        _ = command.advance(now: 1)
        _ = command.succeedRunning(now: 2)
        let before = command.progress
        _ = command.fail(code: .hostLost, description: "lost", now: 3)
        #expect(command.progress >= before)
        #expect(command.progress < 100)
    }

    @Test func commandCodableRoundTrip() throws {
        var command = try plannedCommand(.restartService, service: "Storage")
        _ = command.advance(now: 1)
        _ = command.complete(taskID: 1, outcome: .failure(.taskFailed, "x"), now: 2)
        let data = try JSONEncoder().encode(command)
        #expect(try JSONDecoder().decode(Command.self, from: data) == command)
    }
}
