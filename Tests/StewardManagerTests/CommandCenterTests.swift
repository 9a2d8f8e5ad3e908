import StewardStacks
import StewardStore
import Logging
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// The command center's rules, driven without HTTP, agents or real time:
/// fake agents record what it sends, a manual clock moves only when told,
/// and the store is a real SQLite file.
@Suite("Command center")
struct CommandCenterTests {
    @Test func startingWithDependenciesRunsOneStepAfterAnother() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Gateway", onlySelf: false, user: "alice")
        #expect(command.steps.map(\.name) == ["Start CoordinatorServer", "Start StorageMaster", "Start StorageNode", "Start GatewayServer"])
        // Only the first step's tasks go out; the next step waits for all of them.
        let first = await h.agents.take()
        #expect(Set(first.map(\.instance.role)) == ["CoordinatorServer"])
        #expect(first.count == 3)
        for task in first.dropLast() { await h.center.hear(h.result(task)) }
        #expect(await h.agents.take().isEmpty, "the next step must wait for the last task of this one")
        await h.center.hear(h.result(first.last!))
        #expect(await h.agents.take().map(\.instance.role) == ["StorageMaster"])
        // Back to a clean slate for the rest.
        let stored = try await h.stored(command.id)
        #expect(stored.steps[0].state == .succeeded && stored.steps[1].state == .running)
    }

    @Test func aCompleteCommandIsStoredPublishedAndFreesItsServices() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Gateway", onlySelf: false, user: "alice")
        #expect(await h.center.runningCommand(for: "Coordinator") == command.id)
        await h.succeedAll()
        let stored = try await h.stored(command.id)
        #expect(stored.state == .complete)
        #expect(stored.progress == 100)
        #expect(stored.steps.allSatisfy { $0.state == .succeeded })
        #expect(h.progress.get(command.id)?.terminal == true, "the final state is published")
        #expect(await h.center.runningCommand(for: "Coordinator") == nil)
        #expect(await h.center.runningCommand(for: "Gateway") == nil)
    }

    @Test func resultsThatArriveTogetherAreStoredInOneWriteBeforeAnyIsAnswered() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        // Command A's next dispatch holds the center's gate, so that command B's
        // three results queue up behind it.
        let a = try await h.center.submit(.startService, service: "Storage", onlySelf: true, user: "alice")
        let aFirst = await h.agents.take()
        let b = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let bTasks = await h.agents.take()
        #expect(bTasks.count == 3)
        await h.agents.holdNextEnqueue()
        let holder = Task { for task in aFirst { await h.center.hear(h.result(task)) } }
        try await waitUntil { await h.agents.isHolding }
        let writesBefore = await h.center.storeWrites
        let answered = Task {
            await withTaskGroup(of: Bool.self) { group in
                for task in bTasks {
                    group.addTask {
                        await h.center.hear(h.result(task))
                        // Answered only once stored: the store has it when receive returns.
                        let stored = try? await h.store.command(id: b.id)
                        return stored?.task(id: task.taskId)?.state == .succeeded
                    }
                }
                return await group.reduce(true) { $0 && $1 }
            }
        }
        try await waitUntil { await h.center.queuedResultCount == 3 }
        await h.agents.release()
        await holder.value
        #expect(await answered.value, "every result was stored before its sender was answered")
        #expect(await h.center.storeWrites == writesBefore + 1, "three results, one transaction")
        #expect(try await h.stored(b.id).state == .complete)
        #expect(try await h.stored(a.id).steps[1].state == .running)
    }

    @Test func aFailedTaskFailsTheCommandAndSkipsTheRest() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Storage", onlySelf: false, user: "alice")
        for task in await h.agents.take() { await h.center.hear(h.result(task)) }  // Coordinator
        let master = await h.agents.take()
        await h.center.hear(h.result(master[0], succeeded: false, detail: "port 21201 is already in use"))
        #expect(await h.agents.take().isEmpty, "nothing after a failed step starts")
        let stored = try await h.stored(command.id)
        #expect(stored.state == .failed)
        #expect(stored.errorCode == .taskFailed)
        #expect(stored.steps.map(\.state) == [.succeeded, .failed, .skipped])
        #expect(stored.failedTasks.map(\.detail) == ["port 21201 is already in use"])
    }

    @Test func aServiceHeldByARunningCommandIsBusy() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let first = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        await #expect(throws: StewardError.self) {
            try await h.center.submit(.stopService, service: "Coordinator", onlySelf: true, user: "bob")
        }
        do {
            _ = try await h.center.submit(.startService, service: "Gateway", onlySelf: false, user: "bob")
            Issue.record("a command touching a held service must be refused")
        } catch let error as StewardError {
            #expect(error.code == .serviceBusy)
            #expect(error.message.contains("command \(first.id)"))
        }
        // A dry run is refused alike, so a plan shown is a plan that can run now.
        let draft = try await h.center.draft(.stopService, service: "Coordinator", onlySelf: true, user: "bob")
        await #expect(throws: StewardError.self) { try await h.center.checkDraft(draft) }
    }

    @Test func aTaskWithNoResultFailsOnlyAfterItsTimeoutAndGrace() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let tasks = await h.agents.take()
        for task in tasks.dropFirst() { await h.center.hear(h.result(task)) }
        // The demo's start timeout is 30 s, and the grace 5 s: at 35 s it still waits.
        h.clock.advance(seconds: 35)
        await h.center.tick()
        #expect(try await h.stored(command.id).state == .inProgress)
        h.clock.advance(seconds: 1)
        await h.center.tick()
        let stored = try await h.stored(command.id)
        #expect(stored.state == .failed)
        #expect(stored.task(id: tasks[0].taskId)?.errorCode == .taskTimedOut)
    }

    @Test func aLostHostFailsItsRunningTasksAndNoOthers() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let tasks = await h.agents.take()
        let onHost2 = try #require(tasks.first { $0.instance.host == "host-2" })
        await h.center.hear(.hostLost("host-2"))
        let stored = try await h.stored(command.id)
        #expect(stored.task(id: onHost2.taskId)?.errorCode == .hostLost)
        #expect(stored.tasks.filter { $0.errorCode == .hostLost }.count == 1)
        #expect(stored.state == .inProgress, "the other tasks of the step still run")
    }

    @Test func aTaskForAHostAlreadyLostFailsAtOnce() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        await h.agents.lose("host-3")
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        #expect(await h.agents.take().map(\.instance.host).sorted() == ["host-1", "host-2"])
        let stored = try await h.stored(command.id)
        #expect(stored.tasks.first { $0.instance.host == "host-3" }?.errorCode == .hostLost)
    }

    @Test func aRestartedAgentFailsOnlyTheTasksItsOldProcessHeld() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Storage", onlySelf: true, user: "alice")
        let master = try #require(await h.agents.take().first)
        #expect(master.instance.role == "StorageMaster" && master.instance.host == "host-1")
        await h.center.hear(.agentRestarted(host: "host-1", tasks: [999_999]))
        #expect(try await h.stored(command.id).task(id: master.taskId)?.state == .running, "a task the old process never held goes on")
        await h.center.hear(.agentRestarted(host: "host-1", tasks: [master.taskId]))
        let stored = try await h.stored(command.id)
        #expect(stored.task(id: master.taskId)?.errorCode == .agentRestarted)
        #expect(stored.state == .failed)
    }

    @Test func lateAndRepeatedResultsChangeNothing() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "alice")
        let tasks = await h.agents.take()
        let success = h.result(tasks[0])
        await h.center.hear(success)
        let once = try await h.stored(command.id)
        let version = h.progress.get(command.id)?.version
        await h.center.hear(success)
        #expect(try await h.stored(command.id) == once, "a result delivered twice is applied once")
        #expect(h.progress.get(command.id)?.version == version, "nor published again")
        // A contradicting late failure of a finished task changes nothing either.
        await h.center.hear(h.result(tasks[0], succeeded: false, detail: "late"))
        #expect(try await h.stored(command.id).task(id: tasks[0].taskId)?.state == .succeeded)
        await h.center.hear(h.result(tasks[1]))
        #expect(try await h.stored(command.id).state == .complete)
        // After the end, a result for one of its tasks is ignored.
        await h.center.hear(h.result(tasks[1], succeeded: false))
        #expect(try await h.stored(command.id).state == .complete)
    }

    @Test func abortFailsTheCommandAndStopsItsRunningTasksForReal() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let tasks = await h.agents.take()
        await h.center.hear(h.result(tasks[0]))
        let aborted = try await h.center.abort(command.id, user: "bob")
        #expect(aborted.state == .failed)
        #expect(aborted.errorCode == .aborted)
        #expect(aborted.errorDescription.contains("bob"))
        let stopped = await h.agents.aborted
        #expect(Set(stopped.values.flatMap { $0 }) == Set(tasks.dropFirst().map(\.taskId)), "only the running tasks are stopped")
        #expect(await h.center.runningCommand(for: "Coordinator") == nil)
        do {
            _ = try await h.center.abort(command.id, user: "bob")
            Issue.record("an ended command cannot be aborted")
        } catch let error as StewardError {
            #expect(error.code == .commandEnded)
        }
    }

    @Test func retryRunsOnlyTheFailedTasks() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let tasks = await h.agents.take()
        await h.center.hear(h.result(tasks[0]))
        await h.center.hear(h.result(tasks[1], succeeded: false))
        await h.center.hear(h.result(tasks[2]))
        #expect(try await h.stored(command.id).state == .failed)
        let retry = try await h.center.retry(command.id, user: "bob")
        #expect(retry.id != command.id)
        #expect(retry.tasks.map(\.instance) == [tasks[1].instance])
        #expect(await h.agents.take().map(\.instance) == [tasks[1].instance])
        do {
            _ = try await h.center.retry(retry.id, user: "bob")
            Issue.record("a running command has nothing to retry")
        } catch let error as StewardError {
            #expect(error.code == .nothingToRetry)
        }
    }

    @Test func aConfigurationSaveRestartsOnlyTheRunningInstancesItAffects() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        _ = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let started = await h.agents.take()
        // host-3's instance fails to start: it is not running, so nothing restarts it.
        for task in started { await h.deliver(task, succeeded: task.instance.host != "host-3") }
        let change = ConfigValue(scope: .service("Coordinator"), name: "session_timeout_ms", value: "45000")
        let save = try await h.center.submitConfiguration([change], restart: true, user: "alice")
        #expect(save.steps.first?.name == "Save configuration")
        #expect(await h.cluster.configuration.value("session_timeout_ms", at: .service("Coordinator")) == "45000")
        let restarts = await h.agents.take()
        #expect(restarts.map(\.operation) == [.stop, .stop])
        #expect(Set(restarts.map(\.instance.host)) == ["host-1", "host-2"])
        for task in restarts { await h.deliver(task) }
        await h.succeedAll()
        let stored = try await h.stored(save.id)
        #expect(stored.state == .complete)
        #expect(stored.tasks.filter { $0.operation == .start }.map(\.instance.host).sorted() == ["host-1", "host-2"])
    }

    @Test func aRunningTasksOutputIsReadableUntilItEnds() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "alice")
        let task = try #require(await h.agents.take().first)
        await h.center.hear(.output(AgentTaskOutput(host: task.instance.host, taskId: task.taskId, outputTail: "listening")))
        #expect(try await h.center.output(command: command.id, task: task.taskId).output == "listening")
        await h.center.hear(h.result(task))
        #expect(try await h.center.output(command: command.id, task: task.taskId).output == "", "the stored tail, empty on success")
    }

    /// The manager after a restart: a new process, so a new store connection
    /// (a new lease owner) over the same file, a new center and new agents.
    func restarted(_ h: CenterHarness) async throws -> (CommandCenter, FakeAgents, SQLStore) {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try await SQLiteStore.open(path: h.directory + "/steward.db", sealer: .ephemeral(), logger: logger)
        let agents = FakeAgents()
        let center = CommandCenter(store: store, cluster: h.cluster, agents: agents, progress: ProgressCache(),
                                   telemetry: Telemetry(), settings: .init(heartbeatTimeoutMs: 5000, taskGraceMs: 5000),
                                   stack: h.stack, clock: h.clock, logger: logger)
        return (center, agents, store)
    }

    @Test func afterARestartAnUnfinishedCommandResumesWhereItWas() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let sent = await h.agents.take()
        // One of the running step's tasks ends before the manager dies; the rest are still running.
        await h.deliver(sent[0])
        let before = try await h.stored(command.id)
        let (again, agents, store) = try await restarted(h)
        defer { Task { await store.close() } }
        try await again.recover(alone: true)
        // The tasks still running are sent again, under their own ids: their agents answer with the outcome.
        let resent = await agents.take()
        #expect(Set(resent.map(\.taskId)) == Set(sent.dropFirst().map(\.taskId)))
        #expect(await again.drives(command.id))
        for task in resent { await again.hear(h.result(task)) }
        let after = try await h.stored(command.id)
        #expect(after.state == .complete, "resumed, not failed: \(after.errorDescription)")
        #expect(after.stage > before.stage)
        // The old process's writes are refused: the lease is the new one's.
        await #expect(throws: LeaseLost.self) { try await h.store.save(after, change: CommandChange()) }
    }

    @Test func aResultThatReachedNoDriverIsKeptForTheNextOne() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        let sent = await h.agents.take()
        let (again, agents, store) = try await restarted(h)
        defer { Task { await store.close() } }
        // The agent's result reaches the new process before it has resumed anything: kept in the store's inbox.
        for task in sent { await again.hear(h.result(task)) }
        try await again.recover(alone: true)
        _ = await agents.take()
        let after = try await h.stored(command.id)
        #expect(after.state == .complete, "\(after.errorDescription)")
    }

    @Test func aCommandWhoseRoleLeftTheStackFailsWithWhy() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try await SQLiteStore.open(path: h.directory + "/steward.db", sealer: .ephemeral(), logger: logger)
        defer { Task { await store.close() } }
        // The manager started again with another stack, which has no CoordinatorServer.
        let stack = try StackLoader.load(nameOrPath: "lab")
        let again = CommandCenter(store: store, cluster: h.cluster, agents: FakeAgents(), progress: ProgressCache(),
                                  telemetry: Telemetry(), settings: .init(heartbeatTimeoutMs: 5000, taskGraceMs: 5000),
                                  stack: stack, clock: h.clock, logger: logger)
        try await again.recover(alone: true)
        let stored = try await h.stored(command.id)
        #expect(stored.state == .failed)
        #expect(stored.errorCode == .managerRestarted)
        #expect(stored.errorDescription.contains("CoordinatorServer is not in the stack"))
    }

    @Test func aServiceIsHeldByOneCommandAcrossCenters() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submit(.startService, service: "Coordinator", onlySelf: true, user: "alice")
        // Another manager on the same database, which does not drive the command.
        let (other, _, store) = try await restarted(h)
        defer { Task { await store.close() } }
        await #expect(throws: StewardError.self) {
            _ = try await other.submit(.stopService, service: "Coordinator", onlySelf: true, user: "bob")
        }
        #expect(try await h.store.commands(CommandFilter()).total == 1)
        _ = command
    }
}

extension Command {
    var tasks: [CommandTask] { steps.flatMap(\.tasks) }
}
