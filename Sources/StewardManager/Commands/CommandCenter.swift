import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Runs commands: plans them, stores every transition before it is published,
/// sends tasks to agents, takes their results, times out what does not answer.
///
/// Every entry point runs under one FIFO gate, so transitions are applied and
/// stored strictly one after another: a stored state is never older than a
/// published one, whatever order results and ticks arrive in. Results are the
/// one exception to arrival order: a turn takes every result queued by then,
/// so a result may be applied before an abort or tick that entered the gate
/// ahead of it; each outcome is still stored before it is published.
actor CommandCenter: AgentEventSink, RestartSubmitter {
    /// What the center needs of the manager's settings.
    struct Settings: Sendable {
        var heartbeatTimeoutMs: Int
        /// Extra time past a task's own timeout for the agent's report.
        var taskGraceMs: Int
    }

    let store: any Store
    let cluster: ClusterState
    let agents: any AgentDispatch
    let progress: ProgressCache
    let telemetry: Telemetry
    let settings: Settings
    let stack: Stack
    let clock: any TimeSource
    let logger: Logger

    let gate = SerialGate()
    private(set) var active: [Int64: Command] = [:]
    private var taskOwner: [Int64: Int64] = [:]
    private var deadlines: [Int64: Millis] = [:]
    private var locks: [String: Int64] = [:]
    /// The host each running placement command holds (`CommandCenter+Placement`).
    var hostLocks: [String: Int64] = [:]
    /// Results waiting for their turn at the gate.
    private var queuedResults: [AgentTaskResult] = []
    /// Transactions written for transitions, and results queued now: how well results batch.
    private(set) var storeWrites = 0
    var queuedResultCount: Int { queuedResults.count }
    /// Told of every ended command: what should run, for `restart_on_failure`.
    var restarts: FailureRestarts?

    /// Output of running tasks so far, as their agents send it.
    private(set) var liveOutput: [Int64: String] = [:]

    private func recordOutput(_ output: AgentTaskOutput) {
        guard let id = taskOwner[output.taskId], let task = active[id]?.task(id: output.taskId), task.state == .running,
              task.instance.host == output.host else { return }
        liveOutput[output.taskId] = output.outputTail
    }

    init(store: any Store, cluster: ClusterState, agents: any AgentDispatch, progress: ProgressCache, telemetry: Telemetry,
         settings: Settings, stack: Stack, clock: any TimeSource, logger: Logger) {
        self.telemetry = telemetry
        self.store = store
        self.cluster = cluster
        self.agents = agents
        self.progress = progress
        self.settings = settings
        self.stack = stack
        self.clock = clock
        self.logger = logger
    }

    /// The command holding a service, if any.
    func runningCommand(for service: String) -> Int64? { locks[service] }

    // MARK: entry points

    /// `key`, when given, makes the request idempotent (`CommandCenter+Idempotency`).
    func submit(_ kind: CommandKind, service: String, onlySelf: Bool, user: String, key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run {
            try await self.once(key) { try await self.create(kind, service: service, onlySelf: onlySelf, user: user, key: key) }
        }
    }

    func submitConfiguration(_ changes: [ConfigValue], restart: Bool, user: String, key: IdempotencyKey? = nil) async throws -> Command {
        try await submitConfiguration(restart: restart, user: user, key: key) { _ in changes }
    }

    /// A save whose values are worked out under the gate from the configuration
    /// as it is then (a rollback's depend on every save before it); `title`
    /// names it in its step and its version ("Roll back to version 3").
    func submitConfiguration(restart: Bool, user: String, title: String? = nil, key: IdempotencyKey? = nil,
                             _ changes: @escaping @Sendable (Configuration) throws -> [ConfigValue]) async throws -> Command {
        try await gate.run {
            try await self.once(key) {
                let values = try changes(await self.cluster.configuration)
                return try await self.createConfiguration(values, restart: restart, user: user, title: title, key: key)
            }
        }
    }

    /// The one input of what agents say, from the agent hub.
    func receive(_ event: AgentEvent) async {
        switch event {
        case .output(let output):
            // Output changes no state that is stored; it need not wait its turn.
            recordOutput(output)
        case .result(let result):
            // Group commit: whoever holds the gate next stores every result
            // queued by then in one transaction; this caller's turn comes after
            // that, so it returns only once its result is stored.
            queuedResults.append(result)
            _ = try? await gate.run { await self.completeQueued() }
        case .hostLost(let host):
            _ = try? await gate.run { await self.hostLost(host) }
        case .agentRestarted(let host, let tasks):
            // The old process will never report these; they fail now rather than at their timeout.
            _ = try? await gate.run {
                await self.failRunningTasks(on: host, .agentRestarted,
                                            "the agent on \(host) restarted while the task ran; its new process does not know the task",
                                            only: tasks)
            }
        }
    }

    /// Fails the running tasks that are past their deadline.
    func tick() async {
        _ = try? await gate.run { await self.expire() }
    }

    /// After a restart: a command that was running when the manager stopped is
    /// failed with its own code; its agents' results, if any still come, are ignored.
    func recover() async throws {
        try await gate.run {
            for var command in try await self.store.unfinishedCommands() {
                let step = command.currentStepIndex.map { command.steps[$0].name } ?? "the end"
                let change = command.fail(
                    code: .managerRestarted,
                    description: "The manager restarted while this command ran (at step '\(step)'). "
                        + "Check the instances' status and run the command again.",
                    now: self.clock.now())
                try await self.store.save(command, change: change)
                // Clean-ups that succeeded before the restart still take their instances off.
                await self.settlePlacement(of: command)
                self.progress.publish(command)
                self.logger.warning("failed unfinished command after restart", metadata: ["command": "\(command.id)"])
            }
        }
    }

    // MARK: creation

    private func create(_ kind: CommandKind, service: String, onlySelf: Bool, user: String, key: IdempotencyKey?) async throws -> Command {
        let command = try await draft(kind, service: service, onlySelf: onlySelf, user: user)
        try checkFree(command.services)
        return try await begin(command, saving: [], key: key)
    }

    /// A dry run is refused as the request would be when a service it touches
    /// is held by a running command (409, 13001), so a plan shown is a plan
    /// that can run now.
    func checkDraft(_ command: Command) throws(StewardError) {
        try checkFree(command.services)
    }

    private func createConfiguration(_ changes: [ConfigValue], restart: Bool, user: String, title: String?,
                                     key: IdempotencyKey?) async throws -> Command {
        let command = await draftConfiguration(changes, restart: restart, user: user, title: title)
        try checkFree(command.services)
        let version = await versionMade(saving: changes, user: user, description: command.steps[0].description)
        return try await begin(command, saving: changes, version: version, key: key)
    }

    // MARK: abort (retry: `CommandCenter+Retry`)

    func abort(_ id: Int64, user: String) async throws -> Command {
        try await gate.run { try await self.doAbort(id, user: user) }
    }

    /// Fails the command at once ("aborted") and tells the agents to stop the
    /// processes of its running tasks for real.
    private func doAbort(_ id: Int64, user: String) async throws -> Command {
        guard let command = active[id] else {
            if let stored = try await store.command(id: id) {
                throw StewardError(.commandEnded, "Command \(id) has already ended (\(stored.state.rawValue)); there is nothing to abort.")
            }
            throw StewardError(.commandNotFound, "Command \(id) does not exist.")
        }
        let running = command.runningTasks
        let step = command.currentStepIndex.map { command.steps[$0].name } ?? ""
        let now = clock.now()
        await transition(id) { $0.fail(code: .aborted, description: "Aborted by \(user) at step '\(step)'.", now: now) }
        for (host, tasks) in Dictionary(grouping: running, by: \.instance.host) {
            await agents.abort(tasks.map(\.id), on: host)
        }
        return try await store.command(id: id) ?? command
    }

    func checkFree(_ services: [String]) throws(StewardError) {
        for s in services {
            if let id = locks[s] {
                let what = active[id].map { "\($0.kind.rawValue) \($0.target)" } ?? "command"
                throw StewardError(.serviceBusy,
                    "Service '\(s)' is busy: command \(id) (\(what)) is running on it. "
                    + "Wait for it to end; follow it at /web/v1/common/command/\(id)/progress.")
            }
        }
    }

    /// Stores a new command (with the values it saves and their version, or
    /// the instance it places, and the request's idempotency key, in the same
    /// transaction), takes its locks and starts it.
    func begin(_ draft: Command, saving values: [ConfigValue], version: ConfigVersion? = nil,
               placing: PlacedInstance? = nil, key: IdempotencyKey? = nil) async throws -> Command {
        let command: Command
        if let placing {
            command = try await store.insert(draft, placing: placing, idempotency: key, now: clock.now())
        } else {
            command = try await store.insert(draft, saving: values, version: version, idempotency: key, now: clock.now())
        }
        if !values.isEmpty { await cluster.apply(values) }
        if let placing { await cluster.place(placing) }
        active[command.id] = command
        for s in command.services { locks[s] = command.id }
        if let host = Self.placementHost(of: command) { hostLocks[host] = command.id }
        for task in command.steps.flatMap(\.tasks) { taskOwner[task.id] = command.id }
        progress.publish(command)
        let now = clock.now()
        await transition(command.id) { $0.advance(now: now) }
        if let current = active[command.id] { return current }
        return try await store.command(id: command.id) ?? command
    }

    // MARK: transitions

    private func hostLost(_ host: String) async {
        logger.warning("host lost: no heartbeat", metadata: ["host": "\(host)"])
        await failRunningTasks(on: host, .hostLost,
                               "host \(host) stopped sending heartbeats for over \(settings.heartbeatTimeoutMs / 1000) s")
    }

    private func completeQueued() async {
        let results = queuedResults
        queuedResults = []
        await apply(results.compactMap(completion))
    }

    private func completion(of result: AgentTaskResult) -> Mutation? {
        guard let id = taskOwner[result.taskId] else {
            logger.debug("late result ignored", metadata: ["task": "\(result.taskId)"])
            return nil
        }
        // The hub refuses a result about another host's task; this holds even if it did not.
        guard active[id]?.task(id: result.taskId)?.instance.host == result.host else {
            logger.warning("result from the wrong host ignored", metadata: ["task": "\(result.taskId)", "host": "\(result.host)"])
            return nil
        }
        // Only the codes an agent may give (software missing, prepare failed); any other is the task's own failure.
        let code = result.errorCode.flatMap(ErrorCode.init(rawValue:)).flatMap { [.softwareMissing, .prepareFailed].contains($0) ? $0 : nil }
        let outcome = TaskOutcome(succeeded: result.succeeded, errorCode: code ?? .taskFailed, detail: result.detail,
                                  exitCode: result.exitCode, outputTail: result.outputTail)
        let now = clock.now()
        return (id, { $0.complete(taskID: result.taskId, outcome: outcome, now: now) })
    }

    /// Fails what is past its deadline, and begins a rolling restart's next batch once its pause has passed.
    private func expire() async {
        let now = clock.now()
        let detail = "no result from the agent within the task timeout"
        var due: [Mutation] = deadlines.compactMap { taskID, deadline -> Mutation? in
            guard deadline < now, let id = taskOwner[taskID] else { return nil }
            return (id, { $0.complete(taskID: taskID, outcome: .failure(.taskTimedOut, detail), now: now) })
        }
        for (id, command) in active where command.isPausing { due.append((id, { $0.advance(now: now) })) }
        await apply(due)
    }

    private func failRunningTasks(on host: String, _ code: ErrorCode, _ detail: String, only: Set<Int64>? = nil) async {
        let now = clock.now()
        var failures: [Mutation] = []
        for (id, command) in active {
            for task in command.runningTasks where task.instance.host == host && only.map({ $0.contains(task.id) }) ?? true {
                failures.append((id, { $0.complete(taskID: task.id, outcome: .failure(code, detail), now: now) }))
            }
        }
        await apply(failures)
    }

    /// What of `batch` the store took: all of it in one write, or, if that
    /// fails, each command's part on its own, so that one bad write does not
    /// lose every result that came with it.
    private func stored(_ batch: [Transition]) async -> [Transition] {
        do {
            try await store.save(batch)
            storeWrites += 1
            return batch
        } catch where batch.count > 1 {
            logger.warning("could not store transitions together; storing them one command at a time", metadata: ["error": "\(error)"])
        } catch {
            logger.error("could not store a transition", metadata: ["command": "\(batch[0].command.id)", "error": "\(error)"])
            return []
        }
        var kept: [Transition] = []
        for part in batch {
            do {
                try await store.save(part.command, change: part.change)
                storeWrites += 1
                kept.append(part)
            } catch {
                logger.error("could not store a transition", metadata: ["command": "\(part.command.id)", "error": "\(error)"])
            }
        }
        return kept
    }

    /// One state change of one command.
    private typealias Mutation = (id: Int64, mutate: (inout Command) -> CommandChange)
    /// A command as changed, and what changed: one command's part of a write.
    private typealias Transition = (command: Command, change: CommandChange)

    private func transition(_ id: Int64, _ mutate: @escaping (inout Command) -> CommandChange) async {
        await apply([(id, mutate)])
    }

    /// Applies state changes, stores them all in one transaction, then
    /// publishes them, then acts on them: nothing is published before it is stored.
    private func apply(_ mutations: [Mutation]) async {
        var batch: [Transition] = []
        var slot: [Int64: Int] = [:]
        for (id, mutate) in mutations {
            if let i = slot[id] {
                // In place: a later result of the same command copies none of its tasks.
                let change = mutate(&batch[i].command)
                batch[i].change.merge(change)
                continue
            }
            guard var command = active[id] else { continue }
            let before = command.state
            let change = mutate(&command)
            guard !change.isEmpty || command.state != before else { continue }
            slot[id] = batch.count
            batch.append((command, change))
        }
        guard !batch.isEmpty else { return }
        var refused: [Mutation] = []
        for (command, change) in await stored(batch) {
            active[command.id] = command
            for taskID in change.tasks where command.task(id: taskID)?.state.isTerminal == true {
                deadlines[taskID] = nil
                liveOutput[taskID] = nil
            }
            // What an ended placement command changed is stored before its end is shown.
            if command.state.isTerminal { await settlePlacement(of: command) }
            progress.publish(command)
            if command.state.isTerminal {
                finish(command)
                continue
            }
            // A task sent and ended within one batch (say, by a lost host) is not sent.
            let send = change.dispatch.filter { command.task(id: $0.id)?.state == .running }
            for (taskID, outcome) in await dispatch(send, of: command) {
                refused.append((command.id, { $0.complete(taskID: taskID, outcome: outcome, now: self.clock.now()) }))
            }
        }
        if !refused.isEmpty { await apply(refused) }
    }

    private func finish(_ command: Command) {
        telemetry.commandEnded(command)
        restarts?.commandEnded(command)
        active[command.id] = nil
        for s in command.services where locks[s] == command.id { locks[s] = nil }
        if let host = Self.placementHost(of: command), hostLocks[host] == command.id { hostLocks[host] = nil }
        for task in command.steps.flatMap(\.tasks) {
            taskOwner[task.id] = nil
            deadlines[task.id] = nil
            liveOutput[task.id] = nil
        }
        logger.info("command ended", metadata: [
            "command": "\(command.id)", "state": "\(command.state.rawValue)", "kind": "\(command.kind.rawValue)",
        ])
    }

    /// Sends tasks to their hosts' agents; a task for a lost host fails at once.
    private func dispatch(_ tasks: [CommandTask], of command: Command) async -> [(Int64, TaskOutcome)] {
        var refused: [(Int64, TaskOutcome)] = []
        var byHost: [String: [AgentTask]] = [:]
        let configurations = await cluster.taskConfigurations(for: tasks.map(\.instance))
        for task in tasks {
            let host = task.instance.host
            if await agents.isLost(host) {
                refused.append((task.id, .failure(.hostLost, "host \(host) has no connected agent")))
                continue
            }
            guard let (_, role) = stack.role(task.instance.role), let config = configurations[task.instance] else { continue }
            // A clean-up stops the process first, then deletes its directory.
            let timeout = switch task.operation {
            case .start: role.process.startTimeoutSeconds
            case .stop, .remove: role.process.stopTimeoutSeconds + 5
            case .restart: role.process.stopTimeoutSeconds + role.process.startTimeoutSeconds + 5
            }
            byHost[host, default: []].append(AgentTask(
                taskId: task.id, commandId: command.id, instance: task.instance, operation: task.operation,
                process: role.process, configuration: config.values, configFiles: role.configFiles,
                configDigest: config.digest, timeoutSeconds: timeout, context: config.context))
            deadlines[task.id] = clock.now() + Millis(timeout * 1000 + settings.taskGraceMs)
        }
        for (host, list) in byHost { await agents.enqueue(list, for: host) }
        return refused
    }

}
