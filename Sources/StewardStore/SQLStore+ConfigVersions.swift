import SQLKit
import StewardAPI
import StewardEngine

/// Configuration versions: written in the transaction of the save that makes
/// them (`insert(_:saving:version:now:)`), read by page or one at a time.
extension SQLStore {
    @discardableResult
    public func ensureFirstConfigVersion(clusterId: Int, values: [ConfigValue], description: String, now: Millis) async throws -> Bool {
        try await transaction { db in
            let existing = try await db.raw("SELECT COUNT(*) AS n FROM config_versions WHERE cluster_id = \(bind: clusterId)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            guard existing == 0 else { return false }
            // Nothing came before it: no changes, only values.
            let first = ConfigVersion(number: 1, user: "system", createdAt: now, commandId: nil, description: description,
                                      values: values, changes: [])
            try await Self.insertVersion(first, clusterId: clusterId, sealer: self.sealer, on: db)
            return true
        }
    }

    public func configVersions(clusterId: Int, offset: Int, limit: Int) async throws -> (total: Int, versions: [ConfigVersion]) {
        try await read { [sealer] db in
            let total = try await db.raw("SELECT COUNT(*) AS n FROM config_versions WHERE cluster_id = \(bind: clusterId)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            let rows = try await db.raw("""
                SELECT * FROM config_versions WHERE cluster_id = \(bind: clusterId)
                ORDER BY version DESC LIMIT \(bind: max(1, limit)) OFFSET \(bind: max(0, offset))
                """).all()
            var versions = try rows.map(Self.header)
            guard let newest = versions.first?.number, let oldest = versions.last?.number else { return (total, versions) }
            let changes = try await Self.changes(clusterId: clusterId, from: oldest, to: newest, sealer: sealer, on: db)
            for i in versions.indices { versions[i].changes = changes[versions[i].number] ?? [] }
            return (total, versions)
        }
    }

    public func configVersion(clusterId: Int, number: Int) async throws -> ConfigVersion? {
        try await read { [sealer] db in
            guard let row = try await db.raw("""
                SELECT * FROM config_versions WHERE cluster_id = \(bind: clusterId) AND version = \(bind: number)
                """).first() else { return nil }
            var version = try Self.header(row)
            version.changes = try await Self.changes(clusterId: clusterId, from: number, to: number, sealer: sealer, on: db)[number] ?? []
            version.values = try await db.raw("""
                SELECT * FROM config_version_values WHERE cluster_id = \(bind: clusterId) AND version = \(bind: number)
                ORDER BY service, role, host, name
                """).all().map { r in
                    let stored = try r.decode(column: "value", as: String.self)
                    return ConfigValue(scope: try Self.scope(r), name: try r.decode(column: "name", as: String.self),
                                       value: try sealer.open(stored), secret: SecretSealer.isSealed(stored))
                }
            return version
        }
    }

    public func resealConfigVersions(clusterId: Int, secret: @escaping @Sendable (ConfigScope, String) -> Bool) async throws -> Int {
        try await transaction { [sealer] db in
            var sealed = 0
            let values = try await db.raw("""
                SELECT * FROM config_version_values WHERE cluster_id = \(bind: clusterId) AND value NOT LIKE 'sealed:v1:%'
                """).all()
            for r in values {
                let (scope, name) = (try Self.scope(r), try r.decode(column: "name", as: String.self))
                guard secret(scope, name) else { continue }
                let key = ConfigDiff.Key(scope, name)
                try await db.raw("""
                    UPDATE config_version_values SET value = \(bind: try sealer.seal(try r.decode(column: "value", as: String.self)))
                    WHERE cluster_id = \(bind: clusterId) AND version = \(bind: try r.decode(column: "version", as: Int.self))
                      AND service = \(bind: key.service) AND role = \(bind: key.role) AND host = \(bind: key.host) AND name = \(bind: name)
                    """).run()
                sealed += 1
            }
            let changes = try await db.raw("SELECT * FROM config_version_changes WHERE cluster_id = \(bind: clusterId) AND secret = 0").all()
            for r in changes {
                let (scope, name) = (try Self.scope(r), try r.decode(column: "name", as: String.self))
                guard secret(scope, name) else { continue }
                let key = ConfigDiff.Key(scope, name)
                let old = try r.decode(column: "old_value", as: String?.self).map(sealer.seal)
                let new = try r.decode(column: "new_value", as: String?.self).map(sealer.seal)
                try await db.raw("""
                    UPDATE config_version_changes SET old_value = \(bind: old), new_value = \(bind: new), secret = 1
                    WHERE cluster_id = \(bind: clusterId) AND version = \(bind: try r.decode(column: "version", as: Int.self))
                      AND service = \(bind: key.service) AND role = \(bind: key.role) AND host = \(bind: key.host) AND name = \(bind: name)
                    """).run()
                sealed += 1
            }
            return sealed
        }
    }

    /// Writes a version numbered after the cluster's newest; a PASSWORD value sealed wherever it is kept.
    static func insertVersion(_ version: ConfigVersion, clusterId: Int, sealer: SecretSealer, on db: any SQLDatabase) async throws {
        let number = try await db.raw("""
            SELECT COALESCE(MAX(version), 0) + 1 AS n FROM config_versions WHERE cluster_id = \(bind: clusterId)
            """).first()?.decode(column: "n", as: Int.self) ?? 1
        try await db.raw("""
            INSERT INTO config_versions (cluster_id, version, username, created_at, command_id, description)
            VALUES (\(bind: clusterId), \(bind: number), \(bind: version.user), \(bind: version.createdAt),
                    \(bind: version.commandId), \(bind: version.description))
            """).run()
        func seal(_ value: String?, _ secret: Bool) throws -> String? {
            guard let value, secret else { return value }
            return try sealer.seal(value)
        }
        for chunk in version.values.chunked(by: rowsPerStatement) {
            var sql = SQLQueryString("INSERT INTO config_version_values (cluster_id, version, service, role, host, name, value) VALUES ")
            for (i, v) in chunk.enumerated() {
                let key = ConfigDiff.Key(v.scope, v.name)
                append(row: [clusterId, number, key.service, key.role, key.host, key.name, try seal(v.value, v.secret)],
                       first: i == 0, to: &sql)
            }
            try await db.raw(sql).run()
        }
        for chunk in version.changes.chunked(by: rowsPerStatement) {
            var sql = SQLQueryString("""
                INSERT INTO config_version_changes (cluster_id, version, service, role, host, name, old_value, new_value, secret) VALUES 
                """)
            for (i, c) in chunk.enumerated() {
                let key = ConfigDiff.Key(c.scope, c.name)
                append(row: [clusterId, number, key.service, key.role, key.host, key.name,
                             try seal(c.old, c.secret), try seal(c.new, c.secret), c.secret ? 1 : 0],
                       first: i == 0, to: &sql)
            }
            try await db.raw(sql).run()
        }
    }

    private static func append(row: [any Encodable & Sendable], first: Bool, to sql: inout SQLQueryString) {
        sql.appendInterpolation(unsafeRaw: first ? "(" : ", (")
        for (i, value) in row.enumerated() {
            if i > 0 { sql.appendInterpolation(unsafeRaw: ", ") }
            sql.appendInterpolation(bind: value)
        }
        sql.appendInterpolation(unsafeRaw: ")")
    }

    private static func header(_ row: any SQLRow) throws -> ConfigVersion {
        ConfigVersion(number: try row.decode(column: "version", as: Int.self),
                      user: try row.decode(column: "username", as: String.self),
                      createdAt: try row.decode(column: "created_at", as: Int64.self),
                      commandId: try row.decode(column: "command_id", as: Int64?.self),
                      description: try row.decode(column: "description", as: String.self), values: [], changes: [])
    }

    private static func scope(_ row: any SQLRow) throws -> ConfigScope {
        let service = try row.decode(column: "service", as: String.self)
        let role = try row.decode(column: "role", as: String.self)
        let host = try row.decode(column: "host", as: String.self)
        return role.isEmpty ? .service(service) : host.isEmpty ? .role(service: service, role: role)
            : .instance(InstanceRef(service: service, role: role, host: host))
    }

    /// The changes of versions `from` through `to`, by version, secrets opened.
    private static func changes(clusterId: Int, from: Int, to: Int, sealer: SecretSealer,
                                on db: any SQLDatabase) async throws -> [Int: [ConfigChange]] {
        let rows = try await db.raw("""
            SELECT * FROM config_version_changes
            WHERE cluster_id = \(bind: clusterId) AND version >= \(bind: from) AND version <= \(bind: to)
            ORDER BY version, service, role, host, name
            """).all()
        var out: [Int: [ConfigChange]] = [:]
        for r in rows {
            let old = try r.decode(column: "old_value", as: String?.self)
            let new = try r.decode(column: "new_value", as: String?.self)
            out[try r.decode(column: "version", as: Int.self), default: []].append(ConfigChange(
                scope: try scope(r), name: try r.decode(column: "name", as: String.self),
                old: try old.map(sealer.open), new: try new.map(sealer.open),
                secret: try r.decode(column: "secret", as: Int.self) != 0))
        }
        return out
    }
}
