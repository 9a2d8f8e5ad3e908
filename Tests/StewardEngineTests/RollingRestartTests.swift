import StewardAPI
import StewardEngine
import Testing

/// The pure rules of a rolling restart: batching, step names, bounds, the
/// tolerance decision, and the command state machine driven by them.
@Suite("Rolling restart")
struct RollingRestartTests {
    static let storage = ["StorageMaster@host-1", "StorageNode@host-1", "StorageNode@host-2", "StorageNode@host-3"]
    static var storageRefs: [InstanceRef] {
        [TestStack.ref("StorageMaster", "host-1")] + TestStack.hosts.map { TestStack.ref("StorageNode", $0) }
    }

    // MARK: batching

    @Test func batchesKeepOrderCoverEveryItemOnceAndOnlyTheLastIsShort() {
        for count in 0...9 {
            let items = Array(0..<count)
            for size in 1...(count + 2) {
                let batches = RollingRestart.batches(items, size: size)
                #expect(batches.flatMap { $0 } == items, "count \(count) size \(size)")
                #expect(batches.count == (count + size - 1) / size, "count \(count) size \(size)")
                #expect(batches.dropLast().allSatisfy { $0.count == size })
                #expect(batches.last.map { (1...size).contains($0.count) } ?? true)
            }
        }
    }

    @Test func aSizeBelowOneIsTakenAsOne() {
        #expect(RollingRestart.batches([1, 2, 3], size: 0) == [[1], [2], [3]])
        #expect(RollingRestart.batches([1, 2], size: -4) == [[1], [2]])
    }

    @Test func instancesComeInStackOrderRoleByRoleHostsInOrder() throws {
        let service = try #require(TestStack.stack.service("Storage"))
        #expect(RollingRestart.instances(of: service, in: TestStack.stack.layout).map(\.description) == Self.storage)
    }

    // MARK: names and bounds

    @Test func stepNamesNumberBatchesFromOneAndNameTheirInstances() {
        let refs = Self.storageRefs
        #expect(RollingRestart.stepName(batch: 2, of: 3, instances: [refs[1]]) == "Restart batch 2 of 3: StorageNode@host-1")
        #expect(RollingRestart.stepName(batch: 1, of: 2, instances: Array(refs[0...1]))
                == "Restart batch 1 of 2: StorageMaster@host-1, StorageNode@host-1")
        let many = (1...12).map { InstanceRef(service: "S", role: "R", host: "h\($0)") }
        #expect(RollingRestart.stepName(batch: 1, of: 1, instances: many).hasSuffix("R@h10 and 2 more instances"))
    }

    @Test func defaultsAreOneBatchNoPauseNoTolerance() throws {
        #expect(try RollingPolicy.validated(batchSize: nil, pauseSeconds: nil, failureTolerance: nil)
                == RollingPolicy(batchSize: 1, pauseSeconds: 0, failureTolerance: 0))
        #expect(try RollingPolicy.validated(batchSize: 5, pauseSeconds: 3600, failureTolerance: 7)
                == RollingPolicy(batchSize: 5, pauseSeconds: 3600, failureTolerance: 7))
    }

    @Test(arguments: [
        (0, 0, 0, "batch_size must be at least 1 (got 0)"),
        (-1, 0, 0, "batch_size must be at least 1 (got -1)"),
        (1, -1, 0, "pause_seconds must be 0-3600 (got -1)"),
        (1, 3601, 0, "pause_seconds must be 0-3600 (got 3601)"),
        (1, 0, -1, "failure_tolerance must be 0 or more (got -1)"),
    ])
    func outOfBoundsIsRefusedNamingTheValue(batch: Int, pause: Int, tolerance: Int, message: String) {
        #expect(throws: StewardError(.invalidParameter, message + ".")) {
            try RollingPolicy.validated(batchSize: batch, pauseSeconds: pause, failureTolerance: tolerance)
        }
    }

    @Test func everyBadValueIsNamedAtOnce() {
        do {
            _ = try RollingPolicy.validated(batchSize: 0, pauseSeconds: 9999, failureTolerance: -2)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .invalidParameter)
            #expect(error.message.contains("batch_size") && error.message.contains("pause_seconds") && error.message.contains("failure_tolerance"))
        }
    }

    @Test func toleranceIsExceededOnlyByMoreFailuresThanItBears() {
        for tolerance in 0...4 {
            for failed in 0...6 {
                #expect(RollingRestart.exceedsTolerance(failed: failed, tolerance: tolerance) == (failed > tolerance))
            }
        }
    }

    @Test func theNextBatchIsDueAfterThePause() {
        #expect(RollingRestart.nextBatchDue(previousEnded: 1_000, pauseSeconds: 0) == 1_000)
        #expect(RollingRestart.nextBatchDue(previousEnded: 1_000, pauseSeconds: 5) == 6_000)
    }

    // MARK: planning

    @Test func planIsOneRestartStepPerBatchOfRunningInstances() throws {
        let running = Set(Self.storageRefs)
        let (steps, run) = try RollingRestart.plan(service: "Storage", running: running, policy: RollingPolicy(batchSize: 3),
                                                   in: TestStack.stack)
        #expect(steps.map(\.name) == [
            "Restart batch 1 of 2: StorageMaster@host-1, StorageNode@host-1, StorageNode@host-2",
            "Restart batch 2 of 2: StorageNode@host-3",
        ])
        #expect(steps.map(\.index) == [0, 1])
        #expect(steps.flatMap(\.tasks).map(\.instance.description) == Self.storage)
        #expect(steps.flatMap(\.tasks).allSatisfy { $0.operation == .restart && $0.state == .pending })
        #expect(run.notRunning.isEmpty)
    }

    @Test func stoppedInstancesAreLeftAloneAndNamed() throws {
        let refs = Self.storageRefs
        let (steps, run) = try RollingRestart.plan(service: "Storage", running: [refs[1], refs[3]], policy: RollingPolicy(),
                                                   in: TestStack.stack)
        #expect(steps.map(\.name) == ["Restart batch 1 of 2: StorageNode@host-1", "Restart batch 2 of 2: StorageNode@host-3"])
        #expect(run.notRunning == [refs[0], refs[2]])
    }

    @Test func thePauseIsInTheDescriptionOfEveryBatchButTheLast() throws {
        let (steps, _) = try RollingRestart.plan(service: "Storage", running: Set(Self.storageRefs),
                                                 policy: RollingPolicy(batchSize: 2, pauseSeconds: 7), in: TestStack.stack)
        #expect(steps.map { $0.description.hasSuffix(", then wait 7 s") } == [true, false])
    }

    @Test func nothingRunningOrNoSuchServiceIsRefused() {
        #expect(throws: StewardError.self) { try RollingRestart.plan(service: "Nope", running: [], policy: RollingPolicy(), in: TestStack.stack) }
        do {
            _ = try RollingRestart.plan(service: "Storage", running: [TestStack.ref("GatewayServer", "host-2")],
                                        policy: RollingPolicy(), in: TestStack.stack)
            Issue.record("planned with nothing running")
        } catch {
            #expect(error.code == .nothingRunning)
            #expect(error.code.httpStatus == 409)
        }
    }

    // MARK: the command

    static func command(_ policy: RollingPolicy, running: [InstanceRef]? = nil) throws -> Command {
        let (steps, run) = try RollingRestart.plan(service: "Storage", running: Set(running ?? storageRefs), policy: policy,
                                                   in: TestStack.stack)
        var command = Command(id: 3, kind: .rollingRestart, clusterId: 1, target: "Storage", user: "admin",
                              services: ["Storage"], steps: withTaskIDs(steps), createdAt: 1_000)
        command.rolling = run
        return command
    }

    @Test func batchesRunOneAfterAnotherToCompletion() throws {
        var command = try Self.command(RollingPolicy())
        #expect(command.advance(now: 10).dispatch.map(\.id) == [1])
        for id in Int64(1)...3 {
            let change = command.complete(taskID: id, outcome: TaskOutcome(succeeded: true), now: 10 + id)
            #expect(change.dispatch.map(\.id) == [id + 1], "batch \(id + 1) begins as batch \(id) ends")
            #expect(command.task(id: id + 1)?.startedAt == 10 + id)
        }
        _ = command.complete(taskID: 4, outcome: TaskOutcome(succeeded: true), now: 20)
        #expect(command.state == .complete)
        #expect(command.errorDescription == "")
        #expect(command.progress == 100)
    }

    @Test func thePauseHoldsTheNextBatchUntilItHasPassed() throws {
        var command = try Self.command(RollingPolicy(batchSize: 2, pauseSeconds: 5))
        _ = command.advance(now: 1_000)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: true), now: 2_000)
        let ended = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: true), now: 3_000)
        #expect(ended.dispatch.isEmpty)
        #expect(command.steps[0].state == .succeeded)
        #expect(command.steps[1].state == .pending)
        #expect(command.isPausing)
        #expect(command.advance(now: 7_999).isEmpty, "one millisecond early")
        let begun = command.advance(now: 8_000)
        #expect(begun.dispatch.map(\.id) == [3, 4])
        #expect(command.steps[1].startedAt == 8_000)
        #expect(!command.isPausing)
    }

    @Test func failuresWithinToleranceGoOnAndCompleteNamingThem() throws {
        let refs = Self.storageRefs
        var command = try Self.command(RollingPolicy(failureTolerance: 1), running: Array(refs[1...3]))
        _ = command.advance(now: 10)
        let change = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: false, detail: "exited with status 1"), now: 11)
        #expect(change.dispatch.map(\.id) == [2])
        #expect(command.steps[0].state == .failed)
        #expect(command.state == .inProgress)
        _ = command.succeedRunning(now: 12)
        _ = command.succeedRunning(now: 13)
        #expect(command.state == .complete)
        #expect(command.errorCode == .success)
        #expect(command.errorDescription == "1 instance(s) failed to restart, within the failure tolerance of 1: "
                + "StorageNode@host-1 (exited with status 1). Not restarted, as they were not running: StorageMaster@host-1.")
    }

    @Test func oneFailureMoreThanTheToleranceFailsAndSkipsTheRest() throws {
        var command = try Self.command(RollingPolicy(failureTolerance: 1))
        _ = command.advance(now: 10)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: false, detail: "a"), now: 11)
        let change = command.complete(taskID: 2, outcome: .failure(.taskTimedOut, "b"), now: 12)
        #expect(change.dispatch.isEmpty)
        #expect(command.state == .failed)
        #expect(command.errorCode == .toleranceExceeded)
        #expect(command.errorDescription == "2 instance(s) failed to restart, more than the failure tolerance of 1: "
                + "StorageMaster@host-1 (a); StorageNode@host-1 (b). 2 later batch(es) not run.")
        #expect(command.steps.map(\.state) == [.failed, .failed, .skipped, .skipped])
        #expect(command.task(id: 3)?.state == .skipped)
    }

    @Test func withoutToleranceTheFirstFailureStops() throws {
        var command = try Self.command(RollingPolicy(batchSize: 2))
        _ = command.advance(now: 10)
        _ = command.complete(taskID: 1, outcome: TaskOutcome(succeeded: false, detail: "x"), now: 11)
        #expect(command.state == .inProgress, "the batch's other task still runs")
        _ = command.complete(taskID: 2, outcome: TaskOutcome(succeeded: true), now: 12)
        #expect(command.state == .failed)
        #expect(command.errorCode == .toleranceExceeded)
        #expect(command.steps.map(\.state) == [.failed, .skipped])
    }

    @Test func aPlainCommandNeverPauses() throws {
        var command = try plannedCommand(.restartService, service: "Coordinator", onlySelf: true)
        _ = command.advance(now: 10)
        _ = command.succeedRunning(now: 11)
        #expect(!command.isPausing)
        #expect(command.steps[1].state == .running)
    }
}
