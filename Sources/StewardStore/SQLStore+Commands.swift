import Foundation
import SQLKit
import StewardAPI
import StewardEngine

extension SQLStore {
    public func insert(_ command: Command, saving values: [ConfigValue], version: ConfigVersion?, idempotency: IdempotencyKey?,
                       now: Millis) async throws -> Command {
        try await transaction { db in
            let stored = try await Self.insertRows(of: command, owner: self.owner, key: idempotency, now: now, on: db)
            try await Self.upsert(values, clusterId: command.clusterId, command: stored.id, now: now, sealer: self.sealer, on: db)
            if var version {
                version.commandId = stored.id
                version.createdAt = now
                try await Self.insertVersion(version, clusterId: command.clusterId, sealer: self.sealer, on: db)
            }
            return stored
        }
    }

    /// The command's row, steps and tasks, with the ids assigned, its services
    /// held and its lease taken by `owner`: part of a transaction. The request's
    /// idempotency key is stored before the services are held, so that a second
    /// request with the key is answered its command, not refused as busy by it.
    static func insertRows(of command: Command, owner: String, key: IdempotencyKey? = nil, now: Millis,
                           on db: any SQLDatabase) async throws -> Command {
        var stored = command
        let rolling = command.rolling.map { String(decoding: WireJSON.encode($0), as: UTF8.self) }
        guard let row = try await db.raw("""
            INSERT INTO commands (cluster_id, kind, target, username, services, state, error_code,
                                  error_description, progress, created_at, ended_at, owner, lease_until, rolling)
            VALUES (\(bind: command.clusterId), \(bind: command.kind.rawValue), \(bind: command.target),
                    \(bind: command.user), \(bind: command.services.joined(separator: ",")),
                    \(bind: command.state.rawValue), \(bind: command.errorCode.rawValue),
                    \(bind: command.errorDescription), \(bind: command.progress), \(bind: command.createdAt),
                    \(bind: command.endedAt), \(bind: owner), \(bind: now + Lease.duration), \(bind: rolling))
            RETURNING id
            """).first() else { throw StewardError(.storeUnavailable, "The store did not return a command id.") }
        stored.id = try row.decode(column: "id", as: Int64.self)
        try await insertKey(key, commandId: stored.id, now: now, on: db)
        try await holdServices(of: stored, on: db)
        for s in stored.steps.indices {
            let step = stored.steps[s]
            try await db.raw("""
                INSERT INTO steps (command_id, idx, name, description, state, started_at, ended_at)
                VALUES (\(bind: stored.id), \(bind: step.index), \(bind: step.name), \(bind: step.description),
                        \(bind: step.state.rawValue), \(bind: step.startedAt), \(bind: step.endedAt))
                """).run()
        }
        let rows = stored.steps.flatMap { step in step.tasks.map { TaskRow(commandId: stored.id, step: step.index, task: $0) } }
        var ids = try await Self.insertTasks(rows, commandId: stored.id, on: db).makeIterator()
        for s in stored.steps.indices {
            for t in stored.steps[s].tasks.indices {
                guard let id = ids.next() else { throw StewardError(.storeUnavailable, "The store did not return every task id.") }
                stored.steps[s].tasks[t].id = id
            }
        }
        return stored
    }

    public func save(_ batch: [(command: Command, change: CommandChange)]) async throws {
        guard !batch.isEmpty else { return }
        try await transaction { [owner] db in
            for (command, change) in batch {
                // Fenced: only the lease's holder writes a command; one taken
                // over meanwhile is refused, and its new driver's state stands.
                guard try await db.raw("""
                    UPDATE commands SET state = \(bind: command.state.rawValue), error_code = \(bind: command.errorCode.rawValue),
                      error_description = \(bind: command.errorDescription), progress = \(bind: command.progress),
                      ended_at = \(bind: command.endedAt)
                    WHERE id = \(bind: command.id) AND owner = \(bind: owner)
                    RETURNING id
                    """).first() != nil else { throw LeaseLost(command: command.id) }
                if command.state.isTerminal {
                    try await db.raw("DELETE FROM service_locks WHERE command_id = \(bind: command.id)").run()
                }
                for step in command.steps where change.steps.contains(step.index) {
                    try await db.raw("""
                        UPDATE steps SET state = \(bind: step.state.rawValue), started_at = \(bind: step.startedAt),
                          ended_at = \(bind: step.endedAt)
                        WHERE command_id = \(bind: command.id) AND idx = \(bind: step.index)
                        """).run()
                }
            }
            let rows = batch.flatMap { command, change in
                command.steps.flatMap { step in
                    step.tasks.filter { change.tasks.contains($0.id) }.map { TaskRow(commandId: command.id, step: step.index, task: $0) }
                }
            }
            try await Self.writeTasks(rows, on: db)
        }
    }

    public func command(id: Int64) async throws -> Command? {
        try await read { db in
            guard let row = try await db.raw("SELECT * FROM commands WHERE id = \(bind: id)").first() else { return nil }
            return try await Self.assemble(row, on: db)
        }
    }

    public func unfinishedCommands() async throws -> [Command] {
        try await read { db in
            var out: [Command] = []
            let rows = try await db.raw("""
                SELECT * FROM commands WHERE state = \(bind: CommandState.inProgress.rawValue) ORDER BY id
                """).all()
            for row in rows { out.append(try await Self.assemble(row, on: db)) }
            return out
        }
    }

    public func commands(_ q: CommandFilter) async throws -> (total: Int, commands: [CommandSummary]) {
        try await read { db in
            var filter = SQLQueryString(" WHERE 1 = 1")
            if let state = q.state { filter.appendInterpolation(unsafeRaw: " AND state = "); filter.appendInterpolation(bind: state.rawValue) }
            if let kind = q.kind { filter.appendInterpolation(unsafeRaw: " AND kind = "); filter.appendInterpolation(bind: kind.rawValue) }
            if let service = q.service {
                filter.appendInterpolation(unsafeRaw: " AND (',' || services || ',') LIKE ")
                filter.appendInterpolation(bind: "%," + service + ",%")
            }
            if let user = q.user { filter.appendInterpolation(unsafeRaw: " AND username = "); filter.appendInterpolation(bind: user) }
            if let from = q.from { filter.appendInterpolation(unsafeRaw: " AND created_at >= "); filter.appendInterpolation(bind: from) }
            if let to = q.to { filter.appendInterpolation(unsafeRaw: " AND created_at <= "); filter.appendInterpolation(bind: to) }
            var count = SQLQueryString("SELECT COUNT(*) AS n FROM commands")
            count.appendInterpolation(filter)
            let total = try await db.raw(count).first()?.decode(column: "n", as: Int.self) ?? 0
            var select = SQLQueryString("SELECT commands.*, (SELECT COUNT(*) FROM steps WHERE steps.command_id = commands.id) AS step_count FROM commands")
            select.appendInterpolation(filter)
            select.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT ")
            select.appendInterpolation(bind: max(1, min(q.limit ?? 50, 500)))
            select.appendInterpolation(unsafeRaw: " OFFSET ")
            select.appendInterpolation(bind: max(0, q.offset ?? 0))
            let rows = try await db.raw(select).all()
            return (total, try rows.map { row in
                let services = try row.decode(column: "services", as: String.self)
                return CommandSummary(
                    id: try row.decode(column: "id", as: Int64.self), kind: CommandKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .startService,
                    target: try row.decode(column: "target", as: String.self),
                    services: services.isEmpty ? [] : services.split(separator: ",").map(String.init),
                    user: try row.decode(column: "username", as: String.self),
                    state: CommandState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
                    errorCode: try row.decode(column: "error_code", as: Int.self),
                    errorDescription: try row.decode(column: "error_description", as: String.self),
                    totalProgress: try row.decode(column: "progress", as: Int.self),
                    totalStepSize: try row.decode(column: "step_count", as: Int.self),
                    createTime: try row.decode(column: "created_at", as: Int64.self),
                    endTime: try row.decode(column: "ended_at", as: Int64?.self))
            })
        }
    }

    static func assemble(_ row: any SQLRow, on db: any SQLDatabase) async throws -> Command {
        let id = try row.decode(column: "id", as: Int64.self)
        let services = try row.decode(column: "services", as: String.self)
        let taskRows = try await db.raw("SELECT * FROM tasks WHERE command_id = \(bind: id) ORDER BY id").all()
        var tasksByStep: [Int: [CommandTask]] = [:]
        for r in taskRows {
            var task = CommandTask(
                id: try r.decode(column: "id", as: Int64.self),
                instance: InstanceRef(service: try r.decode(column: "service", as: String.self),
                                      role: try r.decode(column: "role", as: String.self),
                                      host: try r.decode(column: "host", as: String.self)),
                operation: Operation(rawValue: try r.decode(column: "operation", as: String.self)) ?? .start)
            task.state = ExecutionState(rawValue: try r.decode(column: "state", as: String.self)) ?? .failed
            task.errorCode = try r.decode(column: "error_code", as: Int?.self).flatMap(ErrorCode.init(rawValue:))
            task.detail = try r.decode(column: "detail", as: String.self)
            task.exitCode = try r.decode(column: "exit_code", as: Int?.self).map { Int32(clamping: $0) }
            task.outputTail = try r.decode(column: "output_tail", as: String.self)
            task.startedAt = try r.decode(column: "started_at", as: Int64?.self)
            task.endedAt = try r.decode(column: "ended_at", as: Int64?.self)
            tasksByStep[try r.decode(column: "step_idx", as: Int.self), default: []].append(task)
        }
        let stepRows = try await db.raw("SELECT * FROM steps WHERE command_id = \(bind: id) ORDER BY idx").all()
        let steps: [Step] = try stepRows.map { r in
            let index = try r.decode(column: "idx", as: Int.self)
            var step = Step(index: index, name: try r.decode(column: "name", as: String.self),
                            description: try r.decode(column: "description", as: String.self),
                            tasks: tasksByStep[index] ?? [])
            step.state = ExecutionState(rawValue: try r.decode(column: "state", as: String.self)) ?? .failed
            step.startedAt = try r.decode(column: "started_at", as: Int64?.self)
            step.endedAt = try r.decode(column: "ended_at", as: Int64?.self)
            return step
        }
        var command = Command(
            id: id,
            kind: CommandKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .startService,
            clusterId: try row.decode(column: "cluster_id", as: Int.self),
            target: try row.decode(column: "target", as: String.self),
            user: try row.decode(column: "username", as: String.self),
            services: services.isEmpty ? [] : services.split(separator: ",").map(String.init),
            steps: steps,
            createdAt: try row.decode(column: "created_at", as: Int64.self))
        command.state = CommandState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed
        command.errorCode = ErrorCode(rawValue: try row.decode(column: "error_code", as: Int.self)) ?? .internalError
        command.errorDescription = try row.decode(column: "error_description", as: String.self)
        command.progress = try row.decode(column: "progress", as: Int.self)
        command.endedAt = try row.decode(column: "ended_at", as: Int64?.self)
        if let rolling = try row.decode(column: "rolling", as: String?.self) {
            command.rolling = try JSONDecoder().decode(RollingRestartRun.self, from: Data(rolling.utf8))
        }
        return command
    }
}
