import SQLKit
import StewardAPI
import StewardEngine

/// Users and the audit log.
extension SQLStore {
    public func users() async throws -> [UserRecord] {
        try await read { db in
            try await db.raw("SELECT * FROM users ORDER BY name").all().map(Self.user)
        }
    }

    public func updateUser(_ name: String, passwordHash: String?, role: UserRole?, mustChangePassword: Bool?) async throws -> Bool {
        try await transaction { db in
            guard var user = try await db.raw("SELECT * FROM users WHERE name = \(bind: name)").first().map(Self.user) else {
                return false
            }
            if let passwordHash { user.passwordHash = passwordHash }
            if let role { user.role = role }
            if let mustChangePassword { user.mustChangePassword = mustChangePassword }
            try await db.raw("""
                UPDATE users SET password_hash = \(bind: user.passwordHash), role = \(bind: user.role.rawValue),
                  must_change_password = \(bind: user.mustChangePassword ? 1 : 0)
                WHERE name = \(bind: name)
                """).run()
            return true
        }
    }

    public func replacePasswordHash(_ name: String, from old: String, to new: String) async throws -> Bool {
        try await transaction { db in
            guard try await db.raw("SELECT name FROM users WHERE name = \(bind: name) AND password_hash = \(bind: old)").first() != nil
            else { return false }
            try await db.raw("UPDATE users SET password_hash = \(bind: new) WHERE name = \(bind: name) AND password_hash = \(bind: old)").run()
            return true
        }
    }

    public func deleteUser(_ name: String) async throws -> Bool {
        try await transaction { db in
            guard try await db.raw("SELECT name FROM users WHERE name = \(bind: name)").first() != nil else { return false }
            try await db.raw("DELETE FROM users WHERE name = \(bind: name)").run()
            return true
        }
    }

    static func user(_ row: any SQLRow) throws -> UserRecord {
        UserRecord(
            name: try row.decode(column: "name", as: String.self),
            passwordHash: try row.decode(column: "password_hash", as: String.self),
            role: UserRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
            mustChangePassword: try row.decode(column: "must_change_password", as: Int.self) != 0,
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    public func appendAudit(_ e: AuditEntry) async throws {
        try await transaction { db in
            try await db.raw("""
                INSERT INTO audit (at, username, source, action, target, result, http_status, error_code, command_id, count)
                VALUES (\(bind: e.at), \(bind: e.user), \(bind: e.source), \(bind: e.action), \(bind: e.target),
                        \(bind: e.result.rawValue), \(bind: e.httpStatus), \(bind: e.errorCode), \(bind: e.commandId), \(bind: e.count))
                """).run()
        }
    }

    /// Adds a failure to the latest alike entry (same user, source, action,
    /// result and error code) written since `since`, or appends it; true if it was added to one.
    @discardableResult
    public func appendAudit(_ e: AuditEntry, coalescingSince since: Millis) async throws -> Bool {
        try await transaction { db in
            let alike = try await db.raw("""
                SELECT id FROM audit WHERE source = \(bind: e.source) AND username = \(bind: e.user) AND action = \(bind: e.action)
                  AND result = \(bind: e.result.rawValue) AND error_code = \(bind: e.errorCode) AND at >= \(bind: since)
                ORDER BY id DESC LIMIT 1
                """).first().map { try $0.decode(column: "id", as: Int64.self) }
            if let alike {
                try await db.raw("UPDATE audit SET count = count + \(bind: e.count) WHERE id = \(bind: alike)").run()
                return true
            }
            try await db.raw("""
                INSERT INTO audit (at, username, source, action, target, result, http_status, error_code, command_id, count)
                VALUES (\(bind: e.at), \(bind: e.user), \(bind: e.source), \(bind: e.action), \(bind: e.target),
                        \(bind: e.result.rawValue), \(bind: e.httpStatus), \(bind: e.errorCode), \(bind: e.commandId), \(bind: e.count))
                """).run()
            return false
        }
    }

    /// Deletes the entries older than `before`; returns how many.
    public func pruneAudit(before: Millis) async throws -> Int {
        try await transaction { db in
            let n = try await db.raw("SELECT COUNT(*) AS n FROM audit WHERE at < \(bind: before)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            if n > 0 { try await db.raw("DELETE FROM audit WHERE at < \(bind: before)").run() }
            return n
        }
    }

    public func audit(_ q: AuditFilter) async throws -> [AuditEntry] {
        try await read { db in
            var sql = SQLQueryString("SELECT * FROM audit WHERE 1 = 1")
            if let user = q.user { sql.appendInterpolation(unsafeRaw: " AND username = "); sql.appendInterpolation(bind: user) }
            if let action = q.action { sql.appendInterpolation(unsafeRaw: " AND action = "); sql.appendInterpolation(bind: action) }
            if let result = q.result { sql.appendInterpolation(unsafeRaw: " AND result = "); sql.appendInterpolation(bind: result.rawValue) }
            if let from = q.from { sql.appendInterpolation(unsafeRaw: " AND at >= "); sql.appendInterpolation(bind: from) }
            if let to = q.to { sql.appendInterpolation(unsafeRaw: " AND at <= "); sql.appendInterpolation(bind: to) }
            sql.appendInterpolation(unsafeRaw: " ORDER BY id DESC LIMIT ")
            sql.appendInterpolation(bind: max(1, min(q.limit ?? 100, 1000)))
            sql.appendInterpolation(unsafeRaw: " OFFSET ")
            sql.appendInterpolation(bind: max(0, q.offset ?? 0))
            return try await db.raw(sql).all().map { row in
                AuditEntry(
                    id: try row.decode(column: "id", as: Int64.self), at: try row.decode(column: "at", as: Int64.self),
                    user: try row.decode(column: "username", as: String.self),
                    source: try row.decode(column: "source", as: String.self),
                    action: try row.decode(column: "action", as: String.self),
                    target: try row.decode(column: "target", as: String.self),
                    result: AuditResult(rawValue: try row.decode(column: "result", as: String.self)) ?? .failure,
                    httpStatus: try row.decode(column: "http_status", as: Int.self),
                    errorCode: try row.decode(column: "error_code", as: Int.self),
                    commandId: try row.decode(column: "command_id", as: Int64?.self),
                    count: try row.decode(column: "count", as: Int.self))
            }
        }
    }
}
