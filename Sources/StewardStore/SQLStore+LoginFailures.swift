import SQLKit
import StewardAPI
import StewardEngine

/// Failed logins counted for a (user, source) pair or for a source.
public struct LoginFailureCount: Sendable, Hashable {
    public var failures: Int
    /// When the last failure was counted.
    public var last: Millis
    /// The end of the lock whose first refusal was already reported (audited once).
    public var reported: Millis

    public init(failures: Int = 0, last: Millis = 0, reported: Millis = 0) {
        self.failures = failures
        self.last = last
        self.reported = reported
    }
}

/// Login failures and the managers' shared keys: in the store, so that N
/// managers on one database do not give a guesser N times the tries.
extension SQLStore {
    /// Reads the counts of the pair (`user`, `source`) and of `source`, lets
    /// `change` decide, and writes what it left, in one transaction: rows
    /// locked (PostgreSQL) or the database's write lock held (SQLite) from the
    /// read to the write, so that concurrent attempts on any manager are counted one after the other.
    public func updateLoginFailures<T: Sendable>(
        user: String, source: String,
        _ change: @escaping @Sendable (inout LoginFailureCount, inout LoginFailureCount) -> T
    ) async throws -> T {
        let lock = db.dialect.name == "postgresql" ? " FOR UPDATE" : ""
        return try await transaction { db in
            let keys = [("PAIR", user), ("SOURCE", "")]
            var counts: [LoginFailureCount] = []
            // Inserted first (always in this order), so that there is a row to lock and the write lock is taken at once.
            for (scope, name) in keys {
                try await db.raw("""
                    INSERT INTO login_failures (scope, username, source, failures, last_at, reported_until)
                    VALUES (\(bind: scope), \(bind: name), \(bind: source), 0, 0, 0) ON CONFLICT (scope, username, source) DO NOTHING
                    """).run()
            }
            for (scope, name) in keys {
                var query = SQLQueryString("SELECT failures, last_at, reported_until FROM login_failures WHERE scope = ")
                query.appendInterpolation(bind: scope)
                query.appendInterpolation(unsafeRaw: " AND username = ")
                query.appendInterpolation(bind: name)
                query.appendInterpolation(unsafeRaw: " AND source = ")
                query.appendInterpolation(bind: source)
                query.appendInterpolation(unsafeRaw: lock)
                let row = try await db.raw(query).first()
                counts.append(LoginFailureCount(failures: try row?.decode(column: "failures", as: Int.self) ?? 0,
                                                last: try row?.decode(column: "last_at", as: Int64.self) ?? 0,
                                                reported: try row?.decode(column: "reported_until", as: Int64.self) ?? 0))
            }
            var pair = counts[0], from = counts[1]
            let result = change(&pair, &from)
            for ((scope, name), count) in zip(keys, [pair, from]) {
                if count.failures <= 0 && count.reported == 0 {
                    try await db.raw("""
                        DELETE FROM login_failures WHERE scope = \(bind: scope) AND username = \(bind: name) AND source = \(bind: source)
                        """).run()
                } else {
                    try await db.raw("""
                        UPDATE login_failures SET failures = \(bind: count.failures), last_at = \(bind: count.last),
                          reported_until = \(bind: count.reported)
                        WHERE scope = \(bind: scope) AND username = \(bind: name) AND source = \(bind: source)
                        """).run()
                }
            }
            return result
        }
    }

    /// Forgets counts without a failure since `before` (a day): returns how many.
    public func pruneLoginFailures(before: Millis) async throws -> Int {
        try await transaction { db in
            try await db.raw("DELETE FROM login_failures WHERE last_at < \(bind: before) RETURNING scope").all().count
        }
    }

    /// A key shared by every manager on the database (say, the join token's digest).
    public func accessKey(_ name: String) async throws -> String? {
        try await read { db in
            try await db.raw("SELECT value FROM access_keys WHERE name = \(bind: name)").first()?.decode(column: "value", as: String.self)
        }
    }

    /// Stores `value` under `name`: always when `replace`, else only if none is
    /// stored (the first manager to start wins). Returns the value stored now.
    public func putAccessKey(_ name: String, value: String, replace: Bool, now: Millis) async throws -> String {
        try await transaction { db in
            if replace {
                try await db.raw("""
                    INSERT INTO access_keys (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: now))
                    ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                    """).run()
            } else {
                try await db.raw("""
                    INSERT INTO access_keys (name, value, updated_at) VALUES (\(bind: name), \(bind: value), \(bind: now))
                    ON CONFLICT (name) DO NOTHING
                    """).run()
            }
            return try await db.raw("SELECT value FROM access_keys WHERE name = \(bind: name)").first()?
                .decode(column: "value", as: String.self) ?? value
        }
    }
}
