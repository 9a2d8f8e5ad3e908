import Foundation
import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// Configuration versions in the store: numbered per cluster, written with
/// their save, secrets sealed, read newest first.
@Suite struct ConfigVersionStoreTests {
    static let secret = "Version-S3cret-Value"
    static let scope = ConfigScope.service("Coordinator")

    static func version(_ value: String, secret: Bool = false, description: String = "Save") -> ConfigVersion {
        let values = [ConfigValue(scope: scope, name: "log_level", value: value, secret: secret)]
        return ConfigVersion(number: 0, user: "alice", createdAt: 0, commandId: nil, description: description, values: values,
                             changes: [ConfigChange(scope: scope, name: "log_level", old: "INFO", new: value, secret: secret)])
    }

    @Test(arguments: Backend.all) func theFirstVersionIsWrittenOnceAndSavesNumberTheNextOnesWithTheirCommand(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(), values: [], now: 1)
            let initial = [ConfigValue(scope: Self.scope, name: "log_level", value: "INFO")]
            #expect(try await store.ensureFirstConfigVersion(clusterId: 1, values: initial, description: "created", now: 5))
            #expect(try await !store.ensureFirstConfigVersion(clusterId: 1, values: [], description: "again", now: 6))
            let first = try #require(try await store.configVersion(clusterId: 1, number: 1))
            #expect(first.values == initial && first.user == "system" && first.createdAt == 5 && first.commandId == nil)

            let save = try await store.insert(Fixtures.saveCommand(), saving: [], version: Self.version("DEBUG"), now: 10)
            let second = try #require(try await store.configVersion(clusterId: 1, number: 2))
            #expect(second.commandId == save.id && second.createdAt == 10 && second.user == "alice")
            #expect(second.changes == Self.version("DEBUG").changes)
            // A command that is not a save makes none.
            _ = try await store.insert(try Fixtures.command(.startService, service: "Coordinator"), saving: [], now: 11)
            _ = try await store.insert(Fixtures.saveCommand(), saving: [], version: Self.version("WARN"), now: 12)
            let (total, page) = try await store.configVersions(clusterId: 1, offset: 0, limit: 2)
            #expect(total == 3 && page.map(\.number) == [3, 2])
            #expect(page.allSatisfy { $0.values.isEmpty }, "a page carries what changed, not every value")
            #expect(page.map { $0.changes.first?.new } == ["WARN", "DEBUG"])
            #expect(try await store.configVersion(clusterId: 1, number: 4) == nil)
        }
    }

    @Test(arguments: Backend.all) func aSecretIsSealedInTheVersionTablesAndOpensOnTheWayOut(_ backend: Backend) async throws {
        let db = try await TempDatabase(backend)
        try await using(try await db.open()) { store in
            try await store.migrate()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(), values: [], now: 1)
            _ = try await store.insert(Fixtures.saveCommand(), saving: [], version: Self.version(Self.secret, secret: true), now: 2)
            let read = try #require(try await store.configVersion(clusterId: 1, number: 1))
            #expect(read.values.first?.value == Self.secret && read.values.first?.secret == true)
            #expect(read.changes.first?.new == Self.secret && read.changes.first?.secret == true)
        }
        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] { bytes.append(FileManager.default.contents(atPath: db.path + suffix) ?? Data()) }
        #expect(bytes.range(of: Data(Self.secret.utf8)) == nil, "the clear value is in the database file")
    }

    @Test(arguments: Backend.all) func aValueStoredClearIsSealedWhenTheStackMakesItAPasswordSince(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(), values: [], now: 1)
            _ = try await store.insert(Fixtures.saveCommand(), saving: [], version: Self.version("clear-then"), now: 2)
            let isSecret: @Sendable (ConfigScope, String) -> Bool = { _, name in name == "log_level" }
            // One value and one change.
            #expect(try await store.resealConfigVersions(clusterId: 1, secret: isSecret) == 2)
            let read = try #require(try await store.configVersion(clusterId: 1, number: 1))
            #expect(read.values.first?.value == "clear-then" && read.values.first?.secret == true, "sealed, and opens")
            #expect(read.changes.first?.new == "clear-then" && read.changes.first?.old == "INFO" && read.changes.first?.secret == true)
            #expect(try await store.resealConfigVersions(clusterId: 1, secret: isSecret) == 0, "sealed once")
        }
    }
}
