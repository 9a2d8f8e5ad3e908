import Foundation
import Logging
import SQLKit
import StewardAPI
import StewardEngine

/// The `Store` over any SQLKit database; the dialect only changes the DDL.
public final class SQLStore: Store, @unchecked Sendable {
    // @unchecked: `db` is immutable and SQLKit databases are safe to share;
    // transactions go through `gate`, which serializes them.
    let db: any SQLDatabase
    /// Transactions of this process, one at a time: SQLite has one connection, and
    /// on PostgreSQL a read-check-write transaction of this process must not race
    /// another of its own (other managers' are the database's locks' business).
    let gate = SerialGate()
    /// SQLite's one connection takes reads through the gate too; a pool's reads
    /// take any connection at once.
    let serializesReads: Bool
    /// Turns the driver's "cannot reach the database" into `storeUnavailable`.
    let mapError: @Sendable (any Error) -> any Error
    let onClose: @Sendable () async -> Void
    /// The first-start lock of several managers sharing the database (nil: there is one).
    let takeFirstStartLock: (@Sendable () async throws -> StoreLock)?
    /// Seals PASSWORD values on their way in, opens them on their way out.
    public let sealer: SecretSealer
    /// Who this process is to the others on the database: the holder of the
    /// leases it takes (`SQLStore+Leases`). New with each process.
    public let owner: String

    public init(database: any SQLDatabase, sealer: SecretSealer, owner: String = SQLStore.newOwner(),
                serializesReads: Bool = true,
                mapError: @escaping @Sendable (any Error) -> any Error = { $0 },
                firstStartLock: (@Sendable () async throws -> StoreLock)? = nil,
                onClose: @escaping @Sendable () async -> Void = {}) {
        self.takeFirstStartLock = firstStartLock
        self.db = database
        self.sealer = sealer
        self.owner = owner
        self.serializesReads = serializesReads
        self.mapError = mapError
        self.onClose = onClose
    }

    /// Whether other managers may share this database (PostgreSQL); SQLite is one manager's own file.
    public var isShared: Bool { db.dialect.name == "postgresql" }

    /// "host:pid:random", so that a log line names the process and a restart is a new owner.
    public static func newOwner() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(40)
        let nonce = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(nonce)"
    }

    public func close() async { _ = try? await gate.run { await self.onClose() } }

    /// The dialect's name: "sqlite" or "postgresql".
    public var dialect: String { db.dialect.name }

    /// Runs `body` inside one transaction, on one connection: all of it is stored, or none.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            return try await gate.run { [db] in
                try await db.withSession { session in
                    try await session.raw("BEGIN").run()
                    do {
                        let value = try await body(session)
                        try await session.raw("COMMIT").run()
                        return value
                    } catch {
                        try? await session.raw("ROLLBACK").run()
                        throw error
                    }
                }
            }
        } catch {
            throw mapError(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        do {
            if serializesReads { return try await gate.run { [db] in try await body(db) } }
            return try await body(db)
        } catch {
            throw mapError(error)
        }
    }

    // MARK: migrations

    public func migrate() async throws {
        let dialect = db.dialect.name
        try await transaction { db in
            // Several managers starting at once on one PostgreSQL: the first migrates,
            // the others wait here and then find every version applied. Taken before
            // the ledger's CREATE, which itself races. Released at COMMIT.
            if dialect == "postgresql" { try await db.raw("SELECT pg_advisory_xact_lock(\(unsafeRaw: Migrations.lockKey))").run() }
            try await db.raw(SQLQueryString(Migrations.ledger)).run()
            let rows = try await db.raw("SELECT version FROM steward_migrations").all()
            let applied = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
            for m in Migrations.all where !applied.contains(m.version) {
                for statement in m.statements(for: dialect) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("""
                    INSERT INTO steward_migrations (version, name, applied_at)
                    VALUES (\(bind: m.version), \(bind: m.name), \(bind: SystemTime().now()))
                    """).run()
            }
        }
    }

    /// Versions applied, for tests and `steward manager --check`.
    public func appliedMigrations() async throws -> [Int] {
        try await read { db in
            try await db.raw("SELECT version FROM steward_migrations ORDER BY version").all()
                .map { try $0.decode(column: "version", as: Int.self) }
        }
    }

    // MARK: users

    public func user(named name: String) async throws -> UserRecord? {
        try await read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE name = \(bind: name)").first() else { return nil }
            return UserRecord(
                name: try row.decode(column: "name", as: String.self),
                passwordHash: try row.decode(column: "password_hash", as: String.self),
                role: UserRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .viewer,
                mustChangePassword: try row.decode(column: "must_change_password", as: Int.self) != 0,
                createdAt: try row.decode(column: "created_at", as: Int64.self))
        }
    }

    public func userCount() async throws -> Int {
        try await read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    public func insertUser(_ user: UserRecord) async throws {
        try await transaction { db in
            try await db.raw("""
                INSERT INTO users (name, password_hash, role, must_change_password, created_at)
                VALUES (\(bind: user.name), \(bind: user.passwordHash), \(bind: user.role.rawValue),
                        \(bind: user.mustChangePassword ? 1 : 0), \(bind: user.createdAt))
                """).run()
        }
    }

    // MARK: clusters and configuration

    public func cluster(id: Int) async throws -> ClusterRecord? {
        try await clusters().first { $0.id == id }
    }

    public func clusters() async throws -> [ClusterRecord] {
        try await read { db in
            try await db.raw("SELECT * FROM clusters ORDER BY id").all().map { row in
                ClusterRecord(
                    id: try row.decode(column: "id", as: Int.self),
                    name: try row.decode(column: "name", as: String.self),
                    description: try row.decode(column: "description", as: String.self),
                    stackName: try row.decode(column: "stack_name", as: String.self),
                    stackVersion: try row.decode(column: "stack_version", as: String.self),
                    createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    public func createCluster(id: Int, name: String, description: String, stack: Stack, values: [ConfigValue], now: Millis) async throws {
        try await transaction { db in
            try await db.raw("""
                INSERT INTO clusters (id, name, description, stack_name, stack_version, created_at)
                VALUES (\(bind: id), \(bind: name), \(bind: description), \(bind: stack.name), \(bind: stack.version), \(bind: now))
                """).run()
            // The stack's layout is the first placement; the topology changes from here on.
            let layout = Topology(layoutOf: stack, joinedAt: now)
            for h in layout.hosts {
                try await db.raw("""
                    INSERT INTO hosts (cluster_id, name, address, state, joined_at)
                    VALUES (\(bind: id), \(bind: h.name), \(bind: h.address), \(bind: h.state.rawValue), \(bind: h.joinedAt))
                    """).run()
            }
            for instance in layout.placed { try await Self.place(instance, clusterId: id, now: now, on: db) }
            try await Self.upsert(values, clusterId: id, command: nil, now: now, sealer: self.sealer, on: db)
        }
    }

    public func configValues(clusterId: Int) async throws -> [ConfigValue] {
        try await read { [sealer] db in
            try await db.raw("SELECT service, role, host, name, value FROM config_values WHERE cluster_id = \(bind: clusterId)")
                .all().map { row in
                    let service = try row.decode(column: "service", as: String.self)
                    let role = try row.decode(column: "role", as: String.self)
                    let host = try row.decode(column: "host", as: String.self)
                    let scope: ConfigScope = role.isEmpty ? .service(service)
                        : host.isEmpty ? .role(service: service, role: role)
                        : .instance(InstanceRef(service: service, role: role, host: host))
                    let stored = try row.decode(column: "value", as: String.self)
                    return ConfigValue(scope: scope, name: try row.decode(column: "name", as: String.self),
                                       value: try sealer.open(stored), secret: SecretSealer.isSealed(stored))
                }
        }
    }

    /// Stores values again: the manager seals, at start, PASSWORD values that were stored clear.
    public func reseal(_ values: [ConfigValue], clusterId: Int, now: Millis) async throws {
        try await transaction { db in
            try await Self.upsert(values, clusterId: clusterId, command: nil, now: now, sealer: self.sealer, on: db)
        }
    }

    static func upsert(_ values: [ConfigValue], clusterId: Int, command: Int64?, now: Millis, sealer: SecretSealer,
                       on db: any SQLDatabase) async throws {
        for v in values {
            let stored = v.secret ? try sealer.seal(v.value) : v.value
            let (role, host): (String, String) = switch v.scope {
            case .service: ("", "")
            case .role(_, let r): (r, "")
            case .instance(let i): (i.role, i.host)
            }
            try await db.raw("""
                INSERT INTO config_values (cluster_id, service, role, host, name, value, updated_at, updated_by_command)
                VALUES (\(bind: clusterId), \(bind: v.scope.service), \(bind: role), \(bind: host), \(bind: v.name),
                        \(bind: stored), \(bind: now), \(bind: command))
                ON CONFLICT (cluster_id, service, role, host, name)
                DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
                              updated_by_command = excluded.updated_by_command
                """).run()
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
