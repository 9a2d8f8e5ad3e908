import HTTPTypes
import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// Commands: start, stop, restart a service; the history;
/// a task's output; abort and retry; and the hot path, a command's progress.
struct CommandController {
    typealias Context = StewardRequestContext
    let center: CommandCenter
    let progress: ProgressCache
    let history: any Store
    let stack: Stack
    let audit: AuditTrail
    let bodyLimit: Int
    let streams: StreamLimiter

    /// `maintain` is the group of `/web/v1/maintain/cluster/:cluster_id`, checked by `inCluster`
    /// after the audit and role checks; `common` is `/web/v1/common`.
    func addRoutes(maintain: RouterGroup<Context>, inCluster: ClusterMiddleware, common: RouterGroup<Context>) {
        maintain.operatorAction(audit.dryRunnable("SERVICE_START"), in: inCluster).post("service/:service_name/start", use: start)
        maintain.operatorAction(audit.dryRunnable("SERVICE_STOP"), in: inCluster).post("service/:service_name/stop", use: stop)
        maintain.operatorAction(audit.dryRunnable("SERVICE_RESTART"), in: inCluster).post("service/:service_name/restart", use: restart)
        maintain.operatorAction(audit.dryRunnable("SERVICE_ROLLING_RESTART"), in: inCluster)
            .post("service/:service_name/rolling_restart", use: rollingRestart)
        common.get("commands", use: list)
        common.get("command/:command_id/progress", use: progressOf)
        common.get("command/:command_id/steps/:step_index/tasks", use: stepTasks)
        common.get("command/:command_id/tasks/:task_id/output", use: output)
        common.operatorAction(audit.action("COMMAND_ABORT")).post("command/:command_id/abort", use: abort)
        common.operatorAction(audit.action("COMMAND_RETRY")).post("command/:command_id/retry", use: retry)
    }

    @Sendable func start(_ request: Request, context: Context) async throws -> Response {
        try await serviceAction(.startService, request, context)
    }

    @Sendable func stop(_ request: Request, context: Context) async throws -> Response {
        try await serviceAction(.stopService, request, context)
    }

    @Sendable func restart(_ request: Request, context: Context) async throws -> Response {
        try await serviceAction(.restartService, request, context)
    }

    /// Bounds are checked before anything is planned: a bad value changes nothing (400, 10002).
    @Sendable func rollingRestart(_ request: Request, context: Context) async throws -> Response {
        let name = try context.service(in: stack)
        let body = try await JSONBody.decode(RollingRestartRequest.self, from: request, limit: bodyLimit)
        let policy = try RollingPolicy.validated(batchSize: body.batchSize, pauseSeconds: body.pauseSeconds,
                                                 failureTolerance: body.failureTolerance)
        let user = context.user?.name ?? ""
        var plain = body
        plain.userPassword = nil
        let key = try request.idempotencyKey(user: user, body: plain)
        if try request.dryRun() {
            let draft = try await center.draftRollingRestart(service: name, policy: policy, user: user)
            try await center.checkDraft(draft)
            return Self.plan(draft)
        }
        return Self.accepted(try await center.submitRollingRestart(service: name, policy: policy, user: user, key: key))
    }

    func serviceAction(_ kind: CommandKind, _ request: Request, _ context: Context) async throws -> Response {
        let name = try context.service(in: stack)
        let body = try await JSONBody.decode(ServiceActionRequest.self, from: request, limit: bodyLimit)
        let user = context.user?.name ?? ""
        // The password the reference sends is ignored, and kept out of the fingerprint that is stored.
        var plain = body
        plain.userPassword = nil
        let key = try request.idempotencyKey(user: user, body: plain)
        if try request.dryRun() {
            let draft = try await center.draft(kind, service: name, onlySelf: body.onlySelf ?? true, user: user)
            try await center.checkDraft(draft)
            return Self.plan(draft)
        }
        return Self.accepted(try await center.submit(kind, service: name, onlySelf: body.onlySelf ?? true, user: user, key: key))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        var query = CommandFilter()
        query.state = try request.oneOf("state", CommandState.self)
        query.kind = try request.oneOf("kind", CommandKind.self)
        query.service = request.uri.queryParameters.get("service_name")
        query.user = request.uri.queryParameters.get("user")
        query.from = try request.number("from")
        query.to = try request.number("to")
        (query.limit, query.offset) = try request.page(defaultLimit: 50, range: 1...500)
        let (total, commands) = try await history.commands(query)
        return JSONBody.ok(CommandList(total: total, commands: commands))
    }

    @Sendable func output(_ request: Request, context: Context) async throws -> Response {
        let id = try context.positiveID("command_id")
        let task = try context.positiveID("task_id")
        return JSONBody.ok(try await center.output(command: id, task: task))
    }

    @Sendable func abort(_ request: Request, context: Context) async throws -> Response {
        Self.accepted(try await center.abort(try context.positiveID("command_id"), user: context.user?.name ?? ""))
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let user = context.user?.name ?? ""
        return Self.accepted(try await center.retry(try context.positiveID("command_id"), user: user,
                                                    key: try request.idempotencyKey(user: user)))
    }

    /// The hot path: a cached, already encoded document per command version.
    /// `Accept: text/event-stream` streams every version until a terminal
    /// state; `?wait=S&version=V` long-polls for a version newer than V.
    /// `?task_limit=N` lists up to N tasks per step in all three (default 20).
    @Sendable func progressOf(_ request: Request, context: Context) async throws -> Response {
        let id = try context.positiveID("command_id")
        // The query is read only when there is one: most requests have none.
        let hasQuery = request.uri.query != nil
        let taskLimit = try hasQuery ? Self.taskLimit(request) : ProgressDocument.defaultTaskLimit
        let document = try await current(id)
        let user = context.user?.name ?? ""
        if request.headers[.accept]?.contains("text/event-stream") == true {
            return progress.eventStream(id, taskLimit: taskLimit, holding: try streams.acquire(for: user))
        }
        if hasQuery, let wait = try Self.longPoll(request), wait.seconds > 0 {
            let permit = try streams.acquire(for: user)
            defer { permit.release() }
            let next = await progress.next(of: id, after: wait.version, within: wait.seconds) ?? document
            return Self.progressResponse(next, taskLimit: taskLimit)
        }
        return Self.progressResponse(document, taskLimit: taskLimit)
    }

    /// One page of a step's tasks, in id order, optionally of one state: what
    /// the progress document leaves out of a big step. Read from the same
    /// cached version as the progress endpoint, whose number it carries.
    @Sendable func stepTasks(_ request: Request, context: Context) async throws -> Response {
        let id = try context.positiveID("command_id")
        let index = try context.index("step_index")
        let state = try request.oneOf("state", ExecutionState.self)
        let (limit, offset) = try request.page(defaultLimit: StepTaskPage.defaultLimit, range: 1...StepTaskPage.maxLimit)
        let document = try await current(id)
        let steps = document.command.steps
        guard steps.indices.contains(index) else {
            throw StewardError(.stepNotFound, "Command \(id) has \(steps.count) step\(steps.count == 1 ? "" : "s"), "
                               + "numbered from 0; there is no step \(index).")
        }
        let page = steps[index].taskPage(state: state, offset: offset, limit: limit)
        var response = JSONBody.ok(StepTaskPage(total: page.total, tasks: page.tasks.map(ProgressDocument.TaskEntry.init)))
        response.headers[.progressVersion] = String(document.version)
        return response
    }

    /// The command's latest version: cached, or (a finished command) read from the store once and cached.
    func current(_ id: Int64) async throws -> ProgressCache.Document {
        if let cached = progress.get(id) { return cached }
        guard let command = try await history.command(id: id) else {
            throw StewardError(.commandNotFound, "Command \(id) does not exist.")
        }
        progress.publishStored(command)
        return progress.get(id) ?? progress.publish(command)
    }

    /// A dry run's answer: the steps and tasks the command would have, nothing started.
    static func plan(_ command: Command) -> Response {
        JSONBody.ok(ProgressDocument(command))
    }

    static func progressResponse(_ document: ProgressCache.Document, taskLimit: Int) -> Response {
        var response = JSONBody.response(document.buffer(taskLimit: taskLimit))
        response.headers[.progressVersion] = String(document.version)
        return response
    }

    /// `task_limit`, 0-500 tasks per step; the default when absent.
    static func taskLimit(_ request: Request) throws(StewardError) -> Int {
        guard let limit = try request.number("task_limit") else { return ProgressDocument.defaultTaskLimit }
        guard limit <= ProgressDocument.maxTaskLimit else {
            throw StewardError(.invalidParameter, "task_limit must be 0-\(ProgressDocument.maxTaskLimit) tasks per step.")
        }
        return Int(limit)
    }

    static func longPoll(_ request: Request) throws(StewardError) -> (seconds: Int, version: Int)? {
        let q = request.uri.queryParameters
        guard let waitText = q.get("wait") else { return nil }
        guard let seconds = Int(waitText), (0...60).contains(seconds) else {
            throw StewardError(.invalidParameter, "wait must be 0-60 seconds.")
        }
        let versionText = q.get("version") ?? "0"
        guard let version = Int(versionText), version >= 0 else {
            throw StewardError(.invalidParameter, "version must be a non-negative integer (X-Progress-Version of the last answer).")
        }
        return (seconds, version)
    }

    /// The answer to a request that created a command: its id and current state
    /// (a request sent again with its `Idempotency-Key` gets the same answer, of the same command).
    static func accepted(_ command: Command) -> Response {
        var response = JSONBody.envelope(Envelope<NoResult>(
            id: command.id, state: command.state, errorCode: command.errorCode.rawValue,
            errorDescription: command.errorDescription, totalProgress: command.progress))
        response.headers[.commandId] = String(command.id)
        return response
    }
}
