import SQLKit
import StewardAPI
import StewardEngine

/// A session or ticket as stored: by the SHA-256 digest of its token, never the token.
public struct StoredSession: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// A CAS ticket-granting ticket (the CASTGC cookie).
        case grant = "GRANT"
        /// A web session (the JSESSIONID cookie, or a token).
        case web = "WEB"
        /// A CAS service ticket: one use, short.
        case service = "SERVICE"
        /// A login ticket already used, remembered until it expires.
        case loginTicket = "LOGIN_TICKET"
    }
    public var digest: String
    public var kind: Kind
    public var user: String
    public var role: UserRole
    public var mustChangePassword: Bool
    /// The grant's digest, for a web session made from one (and a service ticket's grant).
    public var parent: String?
    public var createdAt: Millis
    public var lastSeen: Millis
    /// The hard end: the maximum age of a session, the expiry of a ticket.
    public var expiresAt: Millis

    public init(digest: String, kind: Kind, user: String, role: UserRole, mustChangePassword: Bool, parent: String?,
                createdAt: Millis, lastSeen: Millis, expiresAt: Millis) {
        self.digest = digest
        self.kind = kind
        self.user = user
        self.role = role
        self.mustChangePassword = mustChangePassword
        self.parent = parent
        self.createdAt = createdAt
        self.lastSeen = lastSeen
        self.expiresAt = expiresAt
    }
}

/// Sessions and tickets shared by every manager on the database (`SessionStore` caches them).
extension SQLStore {
    /// Stores a session, first evicting the least recently seen of its kind
    /// past the caps (`perUser` of the user's, `total` in all): returns the
    /// digests evicted. A digest already stored (the same derived session made
    /// by two managers) is left as it is.
    public func insertSession(_ s: StoredSession, perUser: Int?, total: Int) async throws -> [String] {
        try await transaction { db in
            // Made already (the same derived session, by another manager): nothing to evict for it.
            if try await db.raw("SELECT digest FROM access_sessions WHERE digest = \(bind: s.digest)").first() != nil { return [] }
            var evicted: [String] = []
            if let perUser {
                let mine = try await db.raw("""
                    SELECT digest FROM access_sessions WHERE username = \(bind: s.user) AND kind = \(bind: s.kind.rawValue)
                    ORDER BY last_seen, created_at
                    """).all().map { try $0.decode(column: "digest", as: String.self) }
                if mine.count >= max(1, perUser) { evicted += mine.prefix(mine.count - max(1, perUser) + 1) }
            }
            let count = try await db.raw("SELECT COUNT(*) AS n FROM access_sessions WHERE kind = \(bind: s.kind.rawValue)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            let over = count - evicted.count - max(1, total) + 1
            if over > 0 {
                var oldest = SQLQueryString("SELECT digest FROM access_sessions WHERE kind = ")
                oldest.appendInterpolation(bind: s.kind.rawValue)
                oldest.appendInterpolation(unsafeRaw: " ORDER BY last_seen, created_at LIMIT ")
                oldest.appendInterpolation(bind: over + evicted.count)
                let candidates = try await db.raw(oldest).all().map { try $0.decode(column: "digest", as: String.self) }
                evicted += candidates.filter { !evicted.contains($0) }.prefix(over)
            }
            for digest in evicted {
                try await db.raw("DELETE FROM access_sessions WHERE digest = \(bind: digest)").run()
            }
            try await db.raw("""
                INSERT INTO access_sessions (digest, kind, username, role, must_change_password, parent, created_at, last_seen, expires_at)
                VALUES (\(bind: s.digest), \(bind: s.kind.rawValue), \(bind: s.user), \(bind: s.role.rawValue),
                        \(bind: s.mustChangePassword ? 1 : 0), \(bind: s.parent), \(bind: s.createdAt), \(bind: s.lastSeen),
                        \(bind: s.expiresAt))
                ON CONFLICT (digest) DO NOTHING
                """).run()
            return evicted
        }
    }

    /// Stores a one-use ticket's digest unless it is there: true the first time (used once, on whichever manager).
    public func insertSessionOnce(_ s: StoredSession, total: Int) async throws -> Bool {
        try await transaction { db in
            let rows = try await db.raw("""
                INSERT INTO access_sessions (digest, kind, username, role, must_change_password, parent, created_at, last_seen, expires_at)
                VALUES (\(bind: s.digest), \(bind: s.kind.rawValue), \(bind: s.user), \(bind: s.role.rawValue),
                        \(bind: s.mustChangePassword ? 1 : 0), \(bind: s.parent), \(bind: s.createdAt), \(bind: s.lastSeen),
                        \(bind: s.expiresAt))
                ON CONFLICT (digest) DO NOTHING RETURNING digest
                """).all()
            guard !rows.isEmpty else { return false }
            // Past the cap, the oldest go: anyone can make login tickets.
            let count = try await db.raw("SELECT COUNT(*) AS n FROM access_sessions WHERE kind = \(bind: s.kind.rawValue)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            if count > max(1, total) {
                var oldest = SQLQueryString("SELECT digest FROM access_sessions WHERE kind = ")
                oldest.appendInterpolation(bind: s.kind.rawValue)
                oldest.appendInterpolation(unsafeRaw: " ORDER BY last_seen, created_at LIMIT ")
                oldest.appendInterpolation(bind: count - max(1, total))
                for row in try await db.raw(oldest).all() {
                    let digest = try row.decode(column: "digest", as: String.self)
                    try await db.raw("DELETE FROM access_sessions WHERE digest = \(bind: digest)").run()
                }
            }
            return true
        }
    }

    public func session(digest: String) async throws -> StoredSession? {
        try await read { db in
            try await db.raw("SELECT * FROM access_sessions WHERE digest = \(bind: digest)").first().map(Self.session)
        }
    }

    /// Records a use: the idle timeout counts from the last use on any manager.
    public func touchSession(digest: String, at: Millis) async throws {
        try await transaction { db in
            try await db.raw("UPDATE access_sessions SET last_seen = \(bind: at) WHERE digest = \(bind: digest) AND last_seen < \(bind: at)")
                .run()
        }
    }

    /// Deletes a session and returns it (once, however many managers try).
    public func takeSession(digest: String) async throws -> StoredSession? {
        try await transaction { db in
            try await db.raw("DELETE FROM access_sessions WHERE digest = \(bind: digest) RETURNING *").first().map(Self.session)
        }
    }

    /// Deletes a grant and every session made from it: the digests deleted.
    public func deleteGrant(digest: String) async throws -> [String] {
        try await transaction { db in
            let children = try await db.raw("DELETE FROM access_sessions WHERE parent = \(bind: digest) RETURNING digest").all()
            let grant = try await db.raw("DELETE FROM access_sessions WHERE digest = \(bind: digest) RETURNING digest").all()
            return try (grant + children).map { try $0.decode(column: "digest", as: String.self) }
        }
    }

    /// Deletes every session and grant of a user.
    public func deleteSessions(user: String) async throws {
        try await transaction { db in
            try await db.raw("DELETE FROM access_sessions WHERE username = \(bind: user) AND kind IN ('GRANT', 'WEB')").run()
        }
    }

    /// Deletes what has expired: past its hard end, or (sessions and grants) idle since `idleBefore`. Returns how many.
    public func sweepSessions(now: Millis, idleBefore: Millis) async throws -> Int {
        try await transaction { db in
            try await db.raw("""
                DELETE FROM access_sessions
                WHERE expires_at <= \(bind: now) OR (kind IN ('GRANT', 'WEB') AND last_seen < \(bind: idleBefore))
                RETURNING digest
                """).all().count
        }
    }

    static func session(_ row: any SQLRow) throws -> StoredSession {
        StoredSession(
            digest: try row.decode(column: "digest", as: String.self),
            kind: StoredSession.Kind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .loginTicket,
            user: try row.decode(column: "username", as: String.self),
            role: UserRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
            mustChangePassword: try row.decode(column: "must_change_password", as: Int.self) != 0,
            parent: try row.decode(column: "parent", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            lastSeen: try row.decode(column: "last_seen", as: Int64.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self))
    }
}
