import Foundation
import Logging
import StewardAPI
import StewardEngine
import StewardStacks
@testable import StewardStore
import Testing

/// A fresh directory per test, holding the SQLite file.
struct TempDatabase: ~Copyable {
    let directory: URL
    var path: String { directory.appendingPathComponent("steward.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("steward-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// One key for every opening of this fixture's file, as a manager keeps its secret.key.
    let sealer = SecretSealer.ephemeral()

    func open() async throws -> SQLStore {
        var logger = Logger(label: "steward.store.tests")
        logger.logLevel = .error
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
        throw error
    }
    await store.close()
}

/// Opens a migrated store on a fresh file, runs `body`, and closes the store.
func withStore(_ body: (SQLStore) async throws -> Void) async throws {
    let db = try TempDatabase()
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
