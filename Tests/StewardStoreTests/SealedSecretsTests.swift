import Foundation
import Logging
import StewardAPI
import StewardEngine
@testable import StewardStore
import StewardTestSupport
import Testing

/// PASSWORD values never reach the database file in clear.
@Suite struct SealedSecretsTests {
    static let clear = "hunter2-Sup3r-S3cret"

    /// Every byte SQLite wrote: the database and its write-ahead log.
    private func rawBytes(_ db: borrowing TempDatabase) -> Data {
        var all = Data()
        for suffix in ["", "-wal", "-shm"] {
            if let data = FileManager.default.contents(atPath: db.path + suffix) { all.append(data) }
        }
        return all
    }

    @Test func aSecretValueIsSealedInTheFileAndOpensOnTheWayOut() async throws {
        let db = try await TempDatabase()
        try await using(try await db.open()) { store in
            try await store.migrate()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(), values: [], now: 1)
            let change = ConfigValue(scope: .service("Coordinator"), name: "log_level", value: Self.clear, secret: true)
            _ = try await store.insert(Fixtures.saveCommand(), saving: [change], now: 2)
            let read = try await store.configValues(clusterId: 1)
            #expect(read == [change])
        }
        let bytes = rawBytes(db)
        #expect(!bytes.isEmpty)
        #expect(bytes.range(of: Data(Self.clear.utf8)) == nil, "the clear value is in the database file")
        #expect(bytes.range(of: Data(SecretSealer.prefix.utf8)) != nil)
    }

    @Test(arguments: Backend.all) func aValueThatIsNotSecretIsStoredAsItIs(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(),
                                          values: [ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "INFO")],
                                          now: 1)
            #expect(try await store.configValues(clusterId: 1).map(\.secret) == [false])
        }
    }

    @Test func anotherKeyCannotOpenTheValue() throws {
        let sealed = try SecretSealer.ephemeral().seal(Self.clear)
        #expect(throws: SecretSealer.Failure.self) { try SecretSealer.ephemeral().open(sealed) }
        var tampered = Array(sealed)
        tampered[tampered.count - 3] = tampered[tampered.count - 3] == "A" ? "B" : "A"
        #expect(throws: SecretSealer.Failure.self) { try SecretSealer.ephemeral().open(String(tampered)) }
    }

    @Test func twoSealsOfOneValueDifferAndBothOpen() throws {
        let sealer = SecretSealer.ephemeral()
        let a = try sealer.seal(Self.clear), b = try sealer.seal(Self.clear)
        #expect(a != b)
        #expect(try sealer.open(a) == Self.clear && sealer.open(b) == Self.clear)
    }

    @Test func theKeyFileIsCreated0600AndReadBack() async throws {
        let db = try await TempDatabase()
        let path = db.directory.path + "/secret.key"
        let sealed = try SecretSealer.loadOrCreate(keyFile: path).seal(Self.clear)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try SecretSealer.loadOrCreate(keyFile: path).open(sealed) == Self.clear)
    }

    @Test func theDatabaseFileIsCreated0600() async throws {
        let db = try await TempDatabase()
        try await using(try await db.open()) { store in try await store.migrate() }
        let attributes = try FileManager.default.attributesOfItem(atPath: db.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    /// On PostgreSQL, every text column of every table, as the server holds it.
    @Test(.enabled(if: TestPostgres.available, "PostgreSQL is not installed and CI is unset"))
    func aSecretValueIsSealedInPostgreSQLToo() async throws {
        try await withStore(.postgres) { store in
            try await store.createCluster(id: 1, name: "demo", description: "", stack: try Fixtures.demo(), values: [], now: 1)
            let change = ConfigValue(scope: .service("Coordinator"), name: "log_level", value: Self.clear, secret: true)
            #expect(try await store.ensureFirstConfigVersion(clusterId: 1, values: [change], description: "first", now: 2))
            _ = try await store.insert(Fixtures.saveCommand(), saving: [change], now: 3)
            #expect(try await store.configValues(clusterId: 1) == [change])
            let dump = try await store.read { db in
                var all = ""
                for table in ["config_values", "config_version_values"] {
                    for row in try await db.raw("SELECT * FROM \(unsafeRaw: table)").all() {
                        all += try row.decode(column: "value", as: String.self) + "\n"
                    }
                }
                return all
            }
            #expect(!dump.contains(Self.clear), "the clear value is in the database")
            #expect(dump.contains(SecretSealer.prefix))
        }
    }
}
