import SQLKit
import StewardAPI
import StewardEngine

/// Hosts and placed instances: the cluster's topology.
extension SQLStore {
    public func topology(clusterId: Int) async throws -> Topology {
        try await read { db in
            let hosts = try await db.raw("""
                SELECT name, address, cores, memory_mib, os, state, joined_at FROM hosts
                WHERE cluster_id = \(bind: clusterId) ORDER BY joined_at, name
                """).all().map { row in
                HostRecord(name: try row.decode(column: "name", as: String.self),
                           address: try row.decode(column: "address", as: String?.self),
                           cores: try row.decode(column: "cores", as: Int?.self),
                           memoryMiB: try row.decode(column: "memory_mib", as: Int?.self),
                           os: try row.decode(column: "os", as: String?.self),
                           state: HostState(rawValue: try row.decode(column: "state", as: String.self)) ?? .active,
                           joinedAt: try row.decode(column: "joined_at", as: Int64.self))
            }
            let placed = try await db.raw("""
                SELECT service, role, host, ordinal FROM instances WHERE cluster_id = \(bind: clusterId)
                """).all().map { row in
                PlacedInstance(InstanceRef(service: try row.decode(column: "service", as: String.self),
                                           role: try row.decode(column: "role", as: String.self),
                                           host: try row.decode(column: "host", as: String.self)),
                               ordinal: try row.decode(column: "ordinal", as: Int.self))
            }
            var last: [String: Int] = [:]
            for row in try await db.raw("SELECT role, last_ordinal FROM role_ordinals WHERE cluster_id = \(bind: clusterId)").all() {
                last[try row.decode(column: "role", as: String.self)] = try row.decode(column: "last_ordinal", as: Int.self)
            }
            return Topology(hosts: hosts, placed: placed, lastOrdinal: last)
        }
    }

    public func seedTopology(_ topology: Topology, clusterId: Int) async throws -> Bool {
        try await transaction { db in
            let numbered = try await db.raw("SELECT COUNT(*) AS n FROM role_ordinals WHERE cluster_id = \(bind: clusterId)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            guard numbered == 0 else { return false }
            // A host the cluster already has keeps what is stored of it.
            for h in topology.hosts {
                try await db.raw("""
                    INSERT INTO hosts (cluster_id, name, address, state, joined_at)
                    VALUES (\(bind: clusterId), \(bind: h.name), \(bind: h.address), \(bind: h.state.rawValue), \(bind: h.joinedAt))
                    ON CONFLICT (cluster_id, name) DO NOTHING
                    """).run()
            }
            for instance in topology.placed { try await Self.place(instance, clusterId: clusterId, now: 0, on: db) }
            return true
        }
    }

    public func saveHost(_ host: HostRecord, clusterId: Int) async throws {
        try await transaction { db in try await Self.upsertHost(host, clusterId: clusterId, on: db) }
    }

    public func forgetHost(_ name: String, clusterId: Int) async throws {
        try await transaction { db in
            try await db.raw("DELETE FROM hosts WHERE cluster_id = \(bind: clusterId) AND name = \(bind: name)").run()
        }
    }

    public func insert(_ command: Command, placing instance: PlacedInstance, idempotency: IdempotencyKey?,
                       now: Millis) async throws -> Command {
        try await transaction { db in
            let stored = try await Self.insertRows(of: command, owner: self.owner, key: idempotency, now: now, on: db)
            try await Self.place(instance, clusterId: command.clusterId, now: now, on: db)
            return stored
        }
    }

    public func removeInstances(_ refs: [InstanceRef], clusterId: Int) async throws {
        guard !refs.isEmpty else { return }
        try await transaction { db in
            for ref in refs {
                try await db.raw("""
                    DELETE FROM instances WHERE cluster_id = \(bind: clusterId) AND role = \(bind: ref.role) AND host = \(bind: ref.host)
                    """).run()
                // The values set for that instance go with it: a later instance on that host starts from the role's.
                try await db.raw("""
                    DELETE FROM config_values WHERE cluster_id = \(bind: clusterId) AND service = \(bind: ref.service)
                      AND role = \(bind: ref.role) AND host = \(bind: ref.host)
                    """).run()
            }
        }
    }

    static func upsertHost(_ h: HostRecord, clusterId: Int, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO hosts (cluster_id, name, address, cores, memory_mib, os, state, joined_at)
            VALUES (\(bind: clusterId), \(bind: h.name), \(bind: h.address), \(bind: h.cores), \(bind: h.memoryMiB),
                    \(bind: h.os), \(bind: h.state.rawValue), \(bind: h.joinedAt))
            ON CONFLICT (cluster_id, name) DO UPDATE SET address = excluded.address, cores = excluded.cores,
              memory_mib = excluded.memory_mib, os = excluded.os, state = excluded.state
            """).run()
    }

    /// An instance and its role's highest ordinal, which only grows.
    static func place(_ p: PlacedInstance, clusterId: Int, now: Millis, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO instances (cluster_id, service, role, host, ordinal, placed_at)
            VALUES (\(bind: clusterId), \(bind: p.ref.service), \(bind: p.ref.role), \(bind: p.ref.host), \(bind: p.ordinal), \(bind: now))
            """).run()
        try await db.raw("""
            INSERT INTO role_ordinals (cluster_id, role, last_ordinal) VALUES (\(bind: clusterId), \(bind: p.ref.role), \(bind: p.ordinal))
            ON CONFLICT (cluster_id, role) DO UPDATE SET last_ordinal = CASE
              WHEN excluded.last_ordinal > role_ordinals.last_ordinal THEN excluded.last_ordinal ELSE role_ordinals.last_ordinal END
            """).run()
    }
}
