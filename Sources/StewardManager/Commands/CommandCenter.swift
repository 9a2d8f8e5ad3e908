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
    /// Where every stored change of a command is announced, for the other managers.
    let notices: any NoticeBoard

    let gate = SerialGate()
    var active: [Int64: Command] = [:]
    var taskOwner: [Int64: Int64] = [:]
    var deadlines: [Int64: Millis] = [:]
    var locks: [String: Int64] = [:]
    /// The host each running placement command holds (`CommandCenter+Placement`).
    var hostLocks: [String: Int64] = [:]
    /// Results waiting for their turn at the gate.
    var queuedResults: [AgentTaskResult] = []
    /// Results taken from the queue whose transition the store refused: their senders are told to send them again.
    var unstoredResults: Set<Int64> = []
    /// Transactions written for transitions, and results queued now: how well results batch.
    var storeWrites = 0
    var queuedResultCount: Int { queuedResults.count }
    /// Told of every ended command: what should run, for `restart_on_failure`.
    var restarts: FailureRestarts?

    /// Output of running tasks so far, as their agents send it.
    var liveOutput: [Int64: String] = [:]

    func recordOutput(_ output: AgentTaskOutput) {
        guard let id = taskOwner[output.taskId], let task = active[id]?.task(id: output.taskId), task.state == .running,
              task.instance.host == output.host else { return }
        liveOutput[output.taskId] = output.outputTail
    }

    init(store: any Store, cluster: ClusterState, agents: any AgentDispatch, progress: ProgressCache, telemetry: Telemetry,
         settings: Settings, stack: Stack, clock: any TimeSource, notices: any NoticeBoard = LocalNoticeBoard(), logger: Logger) {
        self.notices = notices
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

    /// The one input of what agents say, from the agent hub. What concerns a
    /// command another manager drives (or none yet, its driver having died)
    /// is kept in the store's inbox for it (`forward`).
    func receive(_ event: AgentEvent) async throws(StewardError) {
        switch event {
        case .output(let output):
            // Output changes no state that is stored; it need not wait its turn.
            guard taskOwner[output.taskId] != nil else { return try await forward(.output(output)) }
            recordOutput(output)
        case .result(let result):
            guard taskOwner[result.taskId] != nil else { return try await forward(.result(result)) }
            // Group commit: whoever holds the gate next stores every result
            // queued by then in one transaction; this caller's turn comes after
            // that, so it returns only once its result is stored.
            queuedResults.append(result)
            _ = try? await gate.run { await self.completeQueued() }
            // Not stored (the database is away): the agent keeps it and sends it again.
            if unstoredResults.remove(result.taskId) != nil {
                throw StewardError(.storeUnavailable, "The result of task \(result.taskId) could not be stored; send it again.")
            }
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

    /// Keeps what an agent said of a task this center does not drive for the
    /// command's driver, and tells it; a task of an ended command is dropped.
    private func forward(_ item: InboxItem) async throws(StewardError) {
        do {
            guard let command = try await store.deliver(item, now: clock.now()) else {
                logger.debug("late result ignored", metadata: ["task": "\(item.taskId)"])
                return
            }
            await notices.announce(.inbox(command: command))
        } catch {
            throw StewardError(.storeUnavailable, "What the agent said of task \(item.taskId) could not be stored; send it again.")
        }
    }

    /// Fails the running tasks that are past their deadline.
    func tick() async {
        _ = try? await gate.run { await self.expire() }
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
        if !values.isEmpty || placing != nil { await notices.announce(.cluster) }
        active[command.id] = command
        for s in command.services { locks[s] = command.id }
        if let host = Self.placementHost(of: command) { hostLocks[host] = command.id }
        for task in command.steps.flatMap(\.tasks) { taskOwner[task.id] = command.id }
        progress.publish(command)
        await notices.announce(.command(command.id))
        let now = clock.now()
        await transition(command.id) { $0.advance(now: now) }
        if let current = active[command.id] { return current }
        return try await store.command(id: command.id) ?? command
    }
}
