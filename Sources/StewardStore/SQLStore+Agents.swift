import SQLKit
import StewardAPI
import StewardEngine

/// Agent credentials.
extension SQLStore {
    public func agentCredentials(clusterId: Int) async throws -> [AgentCredentialRecord] {
        try await read { db in
            try await db.raw("SELECT * FROM agent_credentials WHERE cluster_id = \(bind: clusterId) ORDER BY host").all().map { row in
                AgentCredentialRecord(
                    host: try row.decode(column: "host", as: String.self),
                    secretDigest: try row.decode(column: "secret_digest", as: String.self),
                    state: AgentCredentialState(rawValue: try row.decode(column: "state", as: String.self)) ?? .revoked,
                    issuedAt: try row.decode(column: "issued_at", as: Int64.self),
                    lastUsedAt: try row.decode(column: "last_used_at", as: Int64?.self),
                    revokedAt: try row.decode(column: "revoked_at", as: Int64?.self))
            }
        }
    }

    public func saveAgentCredential(_ r: AgentCredentialRecord, clusterId: Int) async throws {
        // ON CONFLICT … DO UPDATE: the same text in SQLite (3.24+) and PostgreSQL.
        try await transaction { db in try await Self.upsert(r, clusterId: clusterId, onlyOverRevoked: false, on: db) }
    }

    /// Inserts or replaces a host's credential; with `onlyOverRevoked`, a stored one is replaced only if revoked.
    static func upsert(_ r: AgentCredentialRecord, clusterId: Int, onlyOverRevoked: Bool, on db: any SQLDatabase) async throws {
        var sql: SQLQueryString = """
            INSERT INTO agent_credentials (cluster_id, host, secret_digest, state, issued_at, last_used_at, revoked_at)
            VALUES (\(bind: clusterId), \(bind: r.host), \(bind: r.secretDigest), \(bind: r.state.rawValue),
                    \(bind: r.issuedAt), \(bind: r.lastUsedAt), \(bind: r.revokedAt))
            ON CONFLICT (cluster_id, host) DO UPDATE SET secret_digest = excluded.secret_digest, state = excluded.state,
              issued_at = excluded.issued_at, last_used_at = excluded.last_used_at, revoked_at = excluded.revoked_at
            """
        if onlyOverRevoked { sql.appendInterpolation(unsafeRaw: " WHERE agent_credentials.state = 'REVOKED'") }
        try await db.raw(sql).run()
    }

    public func touchAgentCredential(host: String, clusterId: Int, at: Millis) async throws {
        try await transaction { db in
            try await db.raw("""
                UPDATE agent_credentials SET last_used_at = \(bind: at) WHERE cluster_id = \(bind: clusterId) AND host = \(bind: host)
                """).run()
        }
    }
}

extension SQLStore {
    /// Issues a host's credential unless one that is not revoked is stored
    /// (another manager's join of the same host won): true if this one is stored.
    public func issueAgentCredential(_ r: AgentCredentialRecord, clusterId: Int) async throws -> Bool {
        try await transaction { db in
            try await Self.upsert(r, clusterId: clusterId, onlyOverRevoked: true, on: db)
            let stored = try await db.raw("""
                SELECT secret_digest FROM agent_credentials WHERE cluster_id = \(bind: clusterId) AND host = \(bind: r.host)
                """).first()?.decode(column: "secret_digest", as: String.self)
            return stored == r.secretDigest
        }
    }
}
