import Foundation
import Logging
import SQLKit
import StewardAPI
import StewardEngine
@testable import StewardStore
import StewardTestSupport
import Testing

/// What only PostgreSQL has: several managers on one database (migrations at
/// once, notices between them), and a server that goes away and comes back.
@Suite(.enabled(if: TestPostgres.available, "PostgreSQL is not installed and CI is unset"))
struct PostgresStoreTests {
    static var logger: Logger {
        var l = Logger(label: "steward.store.tests")
        l.logLevel = .critical
        return l
    }

    static func open(_ url: String, sealer: SecretSealer = .ephemeral()) async throws -> SQLStore {
        try await PostgresStore.open(PostgresSettings(url: url), sealer: sealer, logger: logger)
    }

    @Test func managersStartingAtOnceMigrateOnce() async throws {
        let url = try await TestPostgres.database()
        let stores = try await withThrowingTaskGroup(of: SQLStore.self) { group in
            for _ in 0..<4 { group.addTask { try await Self.open(url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { Task { for s in stores { await s.close() } } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for s in stores { group.addTask { try await s.migrate() } }
            try await group.waitForAll()
        }
        for s in stores { #expect(try await s.appliedMigrations() == Migrations.all.map(\.version)) }
    }

    @Test func aNoticeAnnouncedOnOneBoardIsHeardOnTheOther() async throws {
        let url = try await TestPostgres.database()
        let (storeA, storeB) = (try await Self.open(url), try await Self.open(url))
        let a = try PostgresNoticeBoard(settings: PostgresSettings(url: url), store: storeA, logger: Self.logger)
        let b = try PostgresNoticeBoard(settings: PostgresSettings(url: url), store: storeB, logger: Self.logger)
        var heardOnB = b.notices().makeAsyncIterator()
        var heardOnA = a.notices().makeAsyncIterator()
        try await Self.waitUntil { a.isListening && b.isListening }

        await a.announceAndWait(.command(42))
        #expect(await heardOnB.next() == .command(42))
        #expect(await heardOnA.next() == .command(42), "a manager hears its own notices too")
        await b.announce(.mailbox(host: "host-2"))
        #expect(await heardOnA.next() == .mailbox(host: "host-2"))
        #expect(await heardOnB.next() == .mailbox(host: "host-2"))

        // The LISTEN connection is cut: the board connects and listens again by itself.
        try await storeA.read { db in
            try await db.raw("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN%'
                """).run()
        }
        try await Self.waitUntil { !b.isListening }
        try await Self.waitUntil { b.isListening && a.isListening }
        await a.announceAndWait(.user("alice"))
        #expect(await heardOnB.next() == .user("alice"))

        await a.close()
        await b.close()
        await storeA.close()
        await storeB.close()
    }

    @Test func withTheServerGoneCallsFailFastAndTheStoreRecoversWhenItIsBack() async throws {
        let server = try await TestPostgres.start()
        defer { server.stop() }
        let store = try await Self.open(try await server.freshDatabase())
        try await using(store) { store in
            try await store.migrate()
            let user = UserRecord(name: "alice", passwordHash: "h", role: .admin, mustChangePassword: false, createdAt: 1)
            try await store.insertUser(user)

            try await server.kill9()
            for _ in 0..<3 {
                await #expect(throws: StewardError(.storeUnavailable, "The database is unavailable; try again shortly.")) {
                    _ = try await store.userCount()
                }
                await #expect(throws: StewardError(.storeUnavailable, "The database is unavailable; try again shortly.")) {
                    try await store.insertUser(UserRecord(name: "bob", passwordHash: "h", role: .viewer,
                                                          mustChangePassword: false, createdAt: 2))
                }
            }

            try await server.restart()
            // The pool opens new connections by itself: what was acknowledged is there.
            #expect(try await store.user(named: "alice") == user)
            #expect(try await store.userCount() == 1)
            try await store.insertUser(UserRecord(name: "carol", passwordHash: "h", role: .viewer, mustChangePassword: false, createdAt: 3))
            #expect(try await store.userCount() == 2)
        }
    }

    @Test func tlsIsVerifiedAgainstTheGivenCAAndRefusedWithoutIt() async throws {
        let server = try await TestPostgres.start(tls: true)
        defer { server.stop() }
        guard var url = URLComponents(string: try await server.freshDatabase()) else { throw StewardError(.internalError) }
        url.host = "localhost"
        url.queryItems = [URLQueryItem(name: "sslmode", value: "verify-full")]
        let verified = try #require(url.string)
        let store = try await PostgresStore.open(PostgresSettings(url: verified, caFile: server.caFile),
                                                 sealer: .ephemeral(), logger: Self.logger)
        try await using(store) { store in
            let tls = try await store.read { db in
                try await db.raw("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").first()?.decode(column: "ssl", as: Bool.self)
            }
            #expect(tls == true)
        }
        // The same server, its CA not given: the certificate is not trusted and nothing is sent.
        await #expect(throws: StewardError.self) {
            await (try await PostgresStore.open(PostgresSettings(url: verified), sealer: .ephemeral(), logger: Self.logger)).close()
        }
    }

    @Test func aStatementErrorIsNotTakenForAnOutage() async throws {
        try await withStore(.postgres) { store in
            let alice = UserRecord(name: "alice", passwordHash: "h", role: .admin, mustChangePassword: false, createdAt: 1)
            try await store.insertUser(alice)
            do {
                try await store.insertUser(alice)
                Issue.record("a duplicate user was stored")
            } catch let error as StewardError {
                Issue.record("a duplicate key was reported as \(error)")
            } catch {}
        }
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw StewardError(.internalError, "timed out") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite struct PostgresSettingsTests {
    @Test func theURLGivesHostPortUserDatabaseAndPassword() throws {
        let c = try PostgresSettings(url: "postgres://app:s%40cret@db.example:6543/steward?sslmode=disable").configuration()
        #expect(c.host == "db.example" && c.port == 6543)
        #expect(c.username == "app" && c.password == "s@cret" && c.database == "steward")
        #expect(!c.tls.isAllowed)
        #expect(c.options.connectTimeout == .seconds(2))
    }

    @Test func aPasswordGivenApartWinsOverTheURLs() throws {
        var s = PostgresSettings(url: "postgres://app:inurl@db:5432/steward")
        s.password = "fromfile"
        #expect(try s.configuration().password == "fromfile")
        #expect(s.redactedURL == "postgres://app:***@db:5432/steward")
    }

    @Test func tlsIsVerifiedWhenRequiredAndPreferredByDefault() throws {
        #expect(try PostgresSettings(url: "postgres://app@db/steward?sslmode=require").configuration().tls.isEnforced)
        #expect(try PostgresSettings(url: "postgres://app@db/steward?sslmode=verify-full").configuration().tls.isEnforced)
        let preferred = try PostgresSettings(url: "postgres://app@db/steward").configuration().tls
        #expect(preferred.isAllowed && !preferred.isEnforced)
    }

    @Test(arguments: ["mysql://app@db/steward", "postgres://db/steward", "postgres://app@db/", "postgres://app@/steward",
                      "postgres://app@db/steward?sslmode=sometimes", "not a url"])
    func aBadURLIsRefusedWithAReason(_ url: String) {
        #expect(throws: StewardError.self) { try PostgresSettings(url: url).configuration() }
    }
}
