import SQLKit
import StewardAPI
import StewardEngine

/// How long a command's driver holds it without renewing: a manager that dies
/// has its commands taken over within this and one tick of another's.
public enum Lease {
    public static let duration: Millis = 5_000
}

/// A write refused because another manager has taken the command over.
public struct LeaseLost: Error, Sendable {
    public let command: Int64
    public init(command: Int64) { self.command = command }
}

/// Leases: each unfinished command is driven by the one manager that holds its
/// lease. The driver renews every lease it holds at each tick; any manager
/// takes over those that have expired (`SKIP LOCKED` on PostgreSQL, so that
/// two managers looking at once take different ones, never the same).
extension SQLStore {
    /// Renews every lease this process holds on unfinished commands; returns their ids.
    public func renewLeases(now: Millis) async throws -> Set<Int64> {
        try await transaction { [owner] db in
            let rows = try await db.raw("""
                UPDATE commands SET lease_until = \(bind: now + Lease.duration)
                WHERE owner = \(bind: owner) AND state = \(bind: CommandState.inProgress.rawValue)
                RETURNING id
                """).all()
            return Set(try rows.map { try $0.decode(column: "id", as: Int64.self) })
        }
    }

    /// Takes the lease of unfinished commands and returns them: those whose
    /// lease has expired, or with `fromEveryone` (a lone manager starting over
    /// its own database) every one not already this process's.
    public func claimCommands(now: Millis, fromEveryone: Bool = false, limit: Int = 100) async throws -> [Command] {
        let postgres = db.dialect.name == "postgresql"
        return try await transaction { [owner] db in
            var pick = SQLQueryString("SELECT id FROM commands WHERE state = ")
            pick.appendInterpolation(bind: CommandState.inProgress.rawValue)
            if fromEveryone {
                pick.appendInterpolation(unsafeRaw: " AND (owner IS NULL OR owner <> ")
                pick.appendInterpolation(bind: owner)
                pick.appendInterpolation(unsafeRaw: ")")
            } else {
                pick.appendInterpolation(unsafeRaw: " AND (lease_until IS NULL OR lease_until < ")
                pick.appendInterpolation(bind: now)
                pick.appendInterpolation(unsafeRaw: ")")
            }
            pick.appendInterpolation(unsafeRaw: " ORDER BY id LIMIT ")
            pick.appendInterpolation(bind: limit)
            if postgres { pick.appendInterpolation(unsafeRaw: " FOR UPDATE SKIP LOCKED") }
            var claim = SQLQueryString("UPDATE commands SET owner = ")
            claim.appendInterpolation(bind: owner)
            claim.appendInterpolation(unsafeRaw: ", lease_until = ")
            claim.appendInterpolation(bind: now + Lease.duration)
            claim.appendInterpolation(unsafeRaw: " WHERE id IN (")
            claim.appendInterpolation(pick)
            claim.appendInterpolation(unsafeRaw: ") RETURNING id")
            let ids = try await db.raw(claim).all().map { try $0.decode(column: "id", as: Int64.self) }.sorted()
            var commands: [Command] = []
            for id in ids {
                guard let row = try await db.raw("SELECT * FROM commands WHERE id = \(bind: id)").first() else { continue }
                commands.append(try await Self.assemble(row, on: db))
            }
            return commands
        }
    }

    /// Lets go of leases at once (a manager shutting down), so that another takes them without waiting out their time.
    public func releaseLeases(now: Millis) async throws {
        try await transaction { [owner] db in
            try await db.raw("""
                UPDATE commands SET lease_until = \(bind: now - 1)
                WHERE owner = \(bind: owner) AND state = \(bind: CommandState.inProgress.rawValue)
                """).run()
        }
    }

    /// Holds the command's services: refused (409, naming the holder) when an
    /// unfinished command of any manager holds one. Part of the insert's transaction.
    static func holdServices(of command: Command, on db: any SQLDatabase) async throws {
        for service in command.services {
            let held = try await db.raw("""
                INSERT INTO service_locks (cluster_id, service, command_id)
                VALUES (\(bind: command.clusterId), \(bind: service), \(bind: command.id))
                ON CONFLICT (cluster_id, service) DO NOTHING
                RETURNING service
                """).first()
            guard held == nil else { continue }
            let holder = try await db.raw("""
                SELECT command_id FROM service_locks WHERE cluster_id = \(bind: command.clusterId) AND service = \(bind: service)
                """).first()?.decode(column: "command_id", as: Int64.self)
            let id = holder.map(String.init) ?? "?"
            throw StewardError(.serviceBusy,
                "Service '\(service)' is busy: command \(id) is running on it. "
                + "Wait for it to end; follow it at /web/v1/common/command/\(id)/progress.")
        }
    }
}
