import Foundation
import SQLKit
import StewardAPI
import StewardEngine

/// What an agent said, kept for the command's driver: a task's result or its output so far.
public enum InboxItem: Sendable {
    case result(AgentTaskResult)
    case output(AgentTaskOutput)

    public var taskId: Int64 {
        switch self {
        case .result(let r): r.taskId
        case .output(let o): o.taskId
        }
    }
}

/// Where a host's agent is connected, and what it last reported of its instances.
public struct HostPresence: Sendable, Hashable {
    public var host: String
    /// The manager (its store `owner`) the agent is connected to.
    public var manager: String
    public var connected: Bool
    public var seenAt: Millis
    public var reports: [InstanceReport]

    public init(host: String, manager: String, connected: Bool, seenAt: Millis, reports: [InstanceReport]) {
        self.host = host
        self.manager = manager
        self.connected = connected
        self.seenAt = seenAt
        self.reports = reports
    }
}

/// The mail between managers: tasks waiting for the manager a host's agent is
/// connected to, and agents' results and output waiting for their command's
/// driver. Each is taken (deleted and returned) in one statement, so that two
/// managers never both take the same row.
extension SQLStore {
    public func post(_ tasks: [AgentTask], host: String, now: Millis) async throws {
        guard !tasks.isEmpty else { return }
        try await transaction { db in
            for task in tasks {
                let payload = String(decoding: WireJSON.encode(task), as: UTF8.self)
                try await db.raw("""
                    INSERT INTO agent_mailbox (host, task_id, payload, created_at)
                    VALUES (\(bind: host), \(bind: task.taskId), \(bind: payload), \(bind: now))
                    """).run()
            }
        }
    }

    /// Takes the tasks waiting for a host, oldest first.
    public func takeMail(host: String) async throws -> [AgentTask] {
        try await transaction { db in
            let rows = try await db.raw("DELETE FROM agent_mailbox WHERE host = \(bind: host) RETURNING id, payload").all()
            let decoder = JSONDecoder()
            return try rows.map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "payload", as: String.self)) }
                .sorted { $0.0 < $1.0 }
                .map { try decoder.decode(AgentTask.self, from: Data($0.1.utf8)) }
        }
    }

    /// Keeps what an agent said for its command's driver; returns that command, or nil for a task of no unfinished command.
    public func deliver(_ item: InboxItem, now: Millis) async throws -> Int64? {
        try await transaction { db in
            guard let command = try await db.raw("""
                SELECT tasks.command_id FROM tasks JOIN commands ON commands.id = tasks.command_id
                WHERE tasks.id = \(bind: item.taskId) AND commands.state = \(bind: CommandState.inProgress.rawValue)
                """).first()?.decode(column: "command_id", as: Int64.self) else { return nil }
            let (kind, payload): (String, Data) = switch item {
            case .result(let r): ("result", WireJSON.encode(r))
            case .output(let o): ("output", WireJSON.encode(o))
            }
            try await db.raw("""
                INSERT INTO agent_inbox (command_id, task_id, kind, payload, created_at)
                VALUES (\(bind: command), \(bind: item.taskId), \(bind: kind), \(bind: String(decoding: payload, as: UTF8.self)), \(bind: now))
                """).run()
            return command
        }
    }

    /// Takes what waits for these commands, in arrival order.
    public func takeInbox(commands: [Int64]) async throws -> [InboxItem] {
        guard !commands.isEmpty else { return [] }
        return try await transaction { db in
            var sql = SQLQueryString("DELETE FROM agent_inbox WHERE command_id IN (")
            for (i, id) in commands.enumerated() {
                if i > 0 { sql.appendInterpolation(unsafeRaw: ", ") }
                sql.appendInterpolation(bind: id)
            }
            sql.appendInterpolation(unsafeRaw: ") RETURNING id, kind, payload")
            let decoder = JSONDecoder()
            return try await db.raw(sql).all()
                .map { (try $0.decode(column: "id", as: Int64.self), try $0.decode(column: "kind", as: String.self),
                        try $0.decode(column: "payload", as: String.self)) }
                .sorted { $0.0 < $1.0 }
                .map { _, kind, payload -> InboxItem in
                    kind == "result" ? .result(try decoder.decode(AgentTaskResult.self, from: Data(payload.utf8)))
                        : .output(try decoder.decode(AgentTaskOutput.self, from: Data(payload.utf8)))
                }
        }
    }

    /// Stores a host's presence as one manager sees it. A manager's "not
    /// connected" never overwrites another manager's "connected": the agent has moved there.
    public func savePresence(_ p: HostPresence) async throws {
        let reports = String(decoding: WireJSON.encode(p.reports), as: UTF8.self)
        try await transaction { db in
            try await db.raw("""
                INSERT INTO agent_presence (host, manager, connected, seen_at, reports)
                VALUES (\(bind: p.host), \(bind: p.manager), \(bind: p.connected ? 1 : 0), \(bind: p.seenAt), \(bind: reports))
                ON CONFLICT (host) DO UPDATE SET manager = excluded.manager, connected = excluded.connected,
                  seen_at = excluded.seen_at, reports = excluded.reports
                WHERE excluded.connected = 1 OR agent_presence.manager = excluded.manager
                """).run()
        }
    }

    public func presence(host: String) async throws -> HostPresence? {
        try await read { db in
            try await db.raw("SELECT * FROM agent_presence WHERE host = \(bind: host)").first().map(Self.presence(from:))
        }
    }

    public func presences() async throws -> [HostPresence] {
        try await read { db in try await db.raw("SELECT * FROM agent_presence ORDER BY host").all().map(Self.presence(from:)) }
    }

    static func presence(from row: any SQLRow) throws -> HostPresence {
        HostPresence(
            host: try row.decode(column: "host", as: String.self),
            manager: try row.decode(column: "manager", as: String.self),
            connected: try row.decode(column: "connected", as: Int.self) != 0,
            seenAt: try row.decode(column: "seen_at", as: Int64.self),
            reports: try JSONDecoder().decode([InstanceReport].self, from: Data(try row.decode(column: "reports", as: String.self).utf8)))
    }
}
