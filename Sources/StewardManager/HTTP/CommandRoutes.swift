import HTTPTypes
import Hummingbird
import StewardEngine
import StewardStore

/// Commands: start, stop, restart a service; save configuration; follow progress.
extension Manager {
    func addCommandRoutes(to api: RouterGroup<StewardRequestContext>) {
        let limit = options.maxBodyBytes
        for (action, kind) in [("start", CommandKind.startService), ("stop", .stopService), ("restart", .restartService)] {
            api.group().add(middleware: audit("SERVICE_\(action.uppercased())")).add(middleware: RoleMiddleware(role: .operator))
                .post("maintain/cluster/:cluster_id/service/:service_name/\(action)") { request, context -> Response in
                _ = try self.clusterId(context)
                let name = try self.serviceName(context)
                let body = try await JSONBody.decode(ServiceActionRequest.self, from: request, limit: limit)
                if try Self.dryRun(request) {
                    let draft = try self.center.draft(kind, service: name, onlySelf: body.onlySelf ?? true, user: context.user?.name ?? "")
                    try await self.center.checkDraft(draft)
                    return Self.plan(draft)
                }
                let command = try await self.center.submit(kind, service: name, onlySelf: body.onlySelf ?? true,
                                                           user: context.user?.name ?? "")
                return Self.accepted(command)
            }
        }

        api.group().add(middleware: audit("CONFIG_SAVE")).add(middleware: RoleMiddleware(role: .operator))
            .post("config/cluster/:cluster_id/save") { request, context -> Response in
            _ = try self.clusterId(context)
            let body = try await JSONBody.decode(SaveConfigurationRequest.self, from: request, limit: limit, required: true)
            let changes = try Configuration.validate(try body.changes(in: self.stack), in: self.stack)
            guard !changes.isEmpty else {
                throw StewardError(.invalidParameter, "configurations_summary.components holds no configuration item to save.")
            }
            if try Self.dryRun(request) {
                let draft = await self.center.draftConfiguration(
                    changes, restart: body.configurationsSummary.restartAffectedComponents ?? false, user: context.user?.name ?? "")
                try await self.center.checkDraft(draft)
                return Self.plan(draft)
            }
            let command = try await self.center.submitConfiguration(
                changes, restart: body.configurationsSummary.restartAffectedComponents ?? false,
                user: context.user?.name ?? "")
            return Self.accepted(command)
        }

        api.get("common/commands") { request, _ -> Response in
            let q = request.uri.queryParameters
            var query = CommandQuery()
            query.state = try Self.oneOf(q.get("state"), CommandState.allWireValues, "state")
            query.kind = try Self.oneOf(q.get("kind"), CommandKind.allCases.map(\.rawValue), "kind")
            query.service = q.get("service_name")
            query.user = q.get("user")
            query.from = try Self.number(q.get("from"), "from")
            query.to = try Self.number(q.get("to"), "to")
            let limit = try Self.number(q.get("limit"), "limit") ?? 50
            guard (1...500).contains(limit) else { throw StewardError(.invalidParameter, "limit must be 1-500.") }
            query.limit = Int(limit)
            query.offset = Int(clamping: try Self.number(q.get("offset"), "offset") ?? 0)
            let (total, commands) = try await self.store.commands(query)
            return JSONBody.ok(CommandList(total: total, commands: commands))
        }

        api.get("common/command/:command_id/tasks/:task_id/output") { _, context -> Response in
            let id = try Self.commandId(context)
            let raw = context.parameters.get("task_id") ?? ""
            guard let taskID = Int64(raw), taskID > 0 else {
                throw StewardError(.invalidParameter, "task_id must be a positive integer, got '\(raw.prefix(32))'.")
            }
            return JSONBody.ok(try await self.center.output(command: id, task: taskID))
        }

        for (action, audit) in [("abort", "COMMAND_ABORT"), ("retry", "COMMAND_RETRY")] {
            api.group().add(middleware: self.audit(audit)).add(middleware: RoleMiddleware(role: .operator))
                .post("common/command/:command_id/\(action)") { request, context -> Response in
                    let id = try Self.commandId(context)
                    let user = context.user?.name ?? ""
                    let command = action == "abort" ? try await self.center.abort(id, user: user) : try await self.center.retry(id, user: user)
                    return Self.accepted(command)
                }
        }

        // The hot path: a cached, already encoded document per command version.
        // `Accept: text/event-stream` streams every version until a terminal
        // state; `?wait=S&version=V` long-polls for a version newer than V.
        api.get("common/command/:command_id/progress") { request, context -> Response in
            let id = try Self.commandId(context)
            let document: ProgressCache.Document
            if let cached = self.progress.get(id) {
                document = cached
            } else {
                guard let command = try await self.store.command(id: id) else {
                    throw StewardError(.commandNotFound, "Command \(id) does not exist.")
                }
                document = self.progress.publish(command)
            }
            if request.headers[.accept]?.contains("text/event-stream") == true {
                return self.eventStream(id)
            }
            if request.uri.query != nil, let wait = try Self.longPoll(request) {
                return Self.progressResponse(await self.nextVersion(of: id, after: wait.version, within: wait.seconds) ?? document)
            }
            return Self.progressResponse(document)
        }
    }

    static func dryRun(_ request: Request) throws(StewardError) -> Bool {
        guard let value = request.uri.queryParameters.get("dry_run") else { return false }
        guard value == "true" || value == "false" else { throw StewardError(.invalidParameter, "dry_run must be true or false.") }
        return value == "true"
    }

    /// A dry run's answer: the steps and tasks the command would have, nothing started.
    static func plan(_ command: Command) -> Response {
        JSONBody.ok(ProgressDocument(command))
    }

    static func oneOf(_ value: String?, _ allowed: [String], _ name: String) throws(StewardError) -> String? {
        guard let value else { return nil }
        guard allowed.contains(value) else { throw StewardError(.invalidParameter, "\(name) must be one of \(allowed.joined(separator: ", ")).") }
        return value
    }

    static func progressResponse(_ document: ProgressCache.Document) -> Response {
        var response = JSONBody.response(document.buffer)
        response.headers[.progressVersion] = String(document.version)
        return response
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

    /// The first version newer than `version`, waiting up to `seconds`; nil if none came.
    func nextVersion(of id: Int64, after version: Int, within seconds: Int) async -> ProgressCache.Document? {
        await withTaskGroup(of: ProgressCache.Document?.self) { group in
            group.addTask {
                for await document in self.progress.watch(id) where document.version > version { return document }
                return nil
            }
            group.addTask {
                try? await Swift.Task.sleep(for: .seconds(seconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Server-sent events: one `progress` event per version, ending after a terminal one.
    func eventStream(_ id: Int64) -> Response {
        let watch = progress.watch(id)
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: .init { writer in
                for await document in watch {
                    var event = ByteBuffer(string: "id: \(document.version)\nevent: progress\ndata: ")
                    event.writeImmutableBuffer(document.buffer)
                    event.writeString("\n\n")
                    try await writer.write(event)
                }
                try await writer.finish(nil)
            })
    }

    /// The answer to a request that created a command: its id and current state.
    static func accepted(_ command: Command) -> Response {
        var response = JSONBody.envelope(Envelope<NoResult>(
            id: command.id, state: command.state.rawValue, errorCode: command.errorCode.rawValue,
            errorDescription: command.errorDescription, totalProgress: command.progress))
        response.headers[.commandId] = String(command.id)
        return response
    }
}

struct CommandList: Codable, Sendable {
    let total: Int
    let commands: [CommandSummary]
}

extension CommandState {
    static let allWireValues = [CommandState.inProgress, .complete, .failed].map(\.rawValue)
}
