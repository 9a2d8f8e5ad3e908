import Foundation
import Logging
import StewardAPI
import StewardEngine
import StewardStacks
@testable import StewardStore
import StewardTestSupport
import Testing

/// The stores the suite runs on: SQLite always; PostgreSQL when a server is
/// given or can be started (and on CI, where its absence fails the tests).
enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres
    static let all: [Backend] = TestPostgres.available ? [.sqlite, .postgres] : [.sqlite]
    var testDescription: String { rawValue }
}

/// A fresh store location per test: a directory holding the SQLite file, or a
/// new database on the test PostgreSQL server.
struct TempDatabase: ~Copyable {
    let backend: Backend
    let directory: URL
    /// The PostgreSQL database's URL.
    let url: String?
    var path: String { directory.appendingPathComponent("steward.sqlite").path }

    init(_ backend: Backend = .sqlite) async throws {
        self.backend = backend
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = backend == .postgres ? try await TestPostgres.database() : nil
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// One key for every opening of this fixture's store, as a manager keeps its secret.key.
    let sealer = SecretSealer.ephemeral()

    func open() async throws -> SQLStore {
        var logger = Logger(label: "steward.store.tests")
        logger.logLevel = .error
        if let url { return try await PostgresStore.open(PostgresSettings(url: url), sealer: sealer, logger: logger) }
        return try await SQLiteStore.open(path: path, sealer: sealer, logger: logger)
    }
}

/// Runs `body` with `store` and closes the store whatever happens: an unclosed
/// SQLite connection traps when it deinitializes, which would end the whole run.
func using(_ store: SQLStore, _ body: (SQLStore) async throws -> Void) async throws {
    do {
        try await body(store)
    } catch {
        await store.close()
        throw Described(error)
    }
    await store.close()
}

/// A driver's error with its detail: PostgresNIO's own description hides it.
struct Described: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(reflecting: error) }
}

func described<T: ~Copyable>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch { throw Described(error) }
}

/// Opens a migrated store on a fresh file or database, runs `body`, and closes the store.
func withStore(_ backend: Backend = .sqlite, _ body: (SQLStore) async throws -> Void) async throws {
    let db = try await described { try await TempDatabase(backend) }
    try await using(try await db.open()) { store in
        try await store.migrate()
        try await body(store)
    }
}

enum Fixtures {
    static func demo() throws -> Stack { try StackLoader.load(nameOrPath: "demo") }

    /// A planned, not yet stored, command of the demo stack.
    static func command(_ kind: CommandKind, service: String, onlySelf: Bool = false, user: String = "admin",
                        createdAt: Millis = 1_000) throws -> Command {
        let stack = try demo()
        let (services, steps) = try Planner.plan(kind, service: service, onlySelf: onlySelf, in: stack, topology: Topology(layoutOf: stack))
        return Command(kind: kind, clusterId: stack.cluster.id, target: service, user: user, services: services,
                       steps: steps, createdAt: createdAt)
    }

    /// A configuration save without restarts: one zero-task step, no services.
    static func saveCommand(createdAt: Millis = 2_000) -> Command {
        let save = Step(index: 0, name: "Save configuration", description: "Save 1 value(s)", tasks: [])
        return Command(kind: .saveConfiguration, clusterId: 1, target: "", user: "admin", services: [],
                       steps: [save], createdAt: createdAt)
    }

    static let coordinator2 = InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-2")

    /// Values at the three scopes.
    static let values: [ConfigValue] = [
        ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "INFO"),
        ConfigValue(scope: .role(service: "Coordinator", role: "CoordinatorServer"), name: "startup_delay_ms", value: "10"),
        ConfigValue(scope: .instance(coordinator2), name: "port", value: "21102"),
        ConfigValue(scope: .instance(InstanceRef(service: "Storage", role: "StorageNode", host: "host-3")), name: "port", value: "21213"),
    ]
}
