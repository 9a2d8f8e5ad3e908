import SQLKit
import StewardAPI


/// Idempotency keys: stored in the transaction that inserts their command
/// (`insertKey`, called by both inserts), read before a request is planned.
extension SQLStore {
    public func idempotencyRecord(user: String, key: String, now: Millis) async throws -> IdempotencyRecord? {
        try await read { db in try await Self.record(user: user, key: key, now: now, on: db) }
    }

    public func pruneIdempotencyKeys(before: Millis) async throws -> Int {
        try await transaction { db in
            let n = try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys WHERE created_at < \(bind: before)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            try await db.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: before)").run()
            return n
        }
    }

    /// Stores `key` for the command just inserted, part of its transaction.
    /// A live row of the same user and key means another request made its
    /// command first: this throws `IdempotencyConflict`, which rolls the whole
    /// insert back. On PostgreSQL a concurrent insert of the same key waits
    /// here for the other transaction to end, then sees its row; an expired
    /// row is replaced in the same statement.
    static func insertKey(_ key: IdempotencyKey?, commandId: Int64, now: Millis, on db: any SQLDatabase) async throws {
        guard let key else { return }
        let inserted = try await db.raw("""
            INSERT INTO idempotency_keys (username, key, fingerprint, command_id, created_at)
            VALUES (\(bind: key.user), \(bind: key.key), \(bind: key.fingerprint), \(bind: commandId), \(bind: now))
            ON CONFLICT (username, key) DO UPDATE SET fingerprint = excluded.fingerprint,
              command_id = excluded.command_id, created_at = excluded.created_at
            WHERE idempotency_keys.created_at < \(bind: now - IdempotencyKey.lifetimeMs)
            RETURNING command_id
            """).first()
        guard inserted == nil else { return }
        guard let existing = try await record(user: key.user, key: key.key, now: now, on: db) else {
            // Neither live nor replaced: cannot happen while the row is locked; refuse rather than guess.
            throw StewardError(.internalError, "Idempotency key '\(key.key)' is held but could not be read.")
        }
        throw IdempotencyConflict(existing: existing)
    }

    static func record(user: String, key: String, now: Millis, on db: any SQLDatabase) async throws -> IdempotencyRecord? {
        guard let row = try await db.raw("""
            SELECT fingerprint, command_id, created_at FROM idempotency_keys
            WHERE username = \(bind: user) AND key = \(bind: key) AND created_at >= \(bind: now - IdempotencyKey.lifetimeMs)
            """).first() else { return nil }
        return IdempotencyRecord(fingerprint: try row.decode(column: "fingerprint", as: String.self),
                                 commandId: try row.decode(column: "command_id", as: Int64.self),
                                 createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
