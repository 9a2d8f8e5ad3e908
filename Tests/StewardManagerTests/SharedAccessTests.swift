import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import StewardManager
import StewardAPI
import StewardEngine
import StewardStore
import Testing

/// A fresh SQLite store (a real file) and a board, for parts that several managers share.
func withSharedStore<T>(_ body: (SQLStore, LocalNoticeBoard) async throws -> T) async throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("steward-shared-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var logger = Logger(label: "test")
    logger.logLevel = .error
    let store = try await SQLiteStore.open(path: dir + "/steward.db", sealer: .ephemeral(), logger: logger)
    do {
        try await store.migrate()
        let result = try await body(store, LocalNoticeBoard())
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// Two managers on one database (one SQLite file, one data directory) and
/// one notice board between them, standing in for `LISTEN/NOTIFY`: what one
/// changes, the other honours on the very next request.
@Suite("Access shared by two managers")
struct SharedAccessTests {
    static let admin = basicAuth("admin", "Test-pass-1")

    /// Two managers over one data directory, each with a client of its own router.
    static func withTwoManagers(configure: (inout ManagerOptions) -> Void = { _ in },
                                _ body: @Sendable (Manager, any TestClientProtocol, Manager, any TestClientProtocol) async throws -> Void)
        async throws {
        let board = LocalNoticeBoard()
        try await withTestManager(notices: board, configure: configure) { one in
            var options = one.options
            options.adminPassword = nil
            let logger = { var l = Logger(label: "test"); l.logLevel = .error; return l }()
            let two = try await Manager.open(options, clock: SystemTime(), notices: board, logger: logger)
            do {
                try await Application(router: one.router(), logger: logger).test(.router) { first in
                    try await Application(router: two.router(), logger: logger).test(.router) { second in
                        try await body(one, first, two, second)
                    }
                }
                await two.store.close()
            } catch {
                await two.store.close()
                throw error
            }
        }
    }

    static func ping(_ client: any TestClientProtocol, _ headers: HTTPFields) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/web/v1/ping", method: .get, headers: headers).status
    }

    static func addUser(_ manager: Manager, _ name: String, _ password: String) async throws {
        let hash = try PasswordHasher.hash(password, rounds: 10_000)
        try await manager.store.insertUser(UserRecord(name: name, passwordHash: hash, role: .operator, mustChangePassword: false, createdAt: 0))
    }

    @Test func aPasswordChangedOnOneIsRefusedByTheOtherOnTheNextRequest() async throws {
        try await Self.withTwoManagers { one, first, two, second in
            try await Self.addUser(one, "ann", "Ann-pass-123")
            let old = basicAuth("ann", "Ann-pass-123")
            #expect(try await Self.ping(second, [.authorization: old]) == .ok, "the second manager has ann's credentials cached now")
            #expect(try await Self.ping(second, [.authorization: old]) == .ok)
            let change = try await first.execute(
                uri: "/web/v1/access/modify_self_password", method: .post,
                headers: [.authorization: old, .contentType: "application/json"],
                body: ByteBuffer(string: #"{"old_password":"Ann-pass-123","new_password":"Correct-horse-9","confirm_password":"Correct-horse-9"}"#))
            #expect(change.status == .ok)
            #expect(try await Self.ping(second, [.authorization: old]) == .unauthorized, "the old password, cached there, is refused")
            #expect(try await Self.ping(second, [.authorization: basicAuth("ann", "Correct-horse-9")]) == .ok)
        }
    }

    @Test func aSessionMadeOnOneWorksOnTheOtherUntilItsLogout() async throws {
        try await Self.withTwoManagers { _, first, _, second in
            let check = try await first.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.authorization: Self.admin])
            let token = try #require(BoundedAccessTests.cookie("JSESSIONID", check))
            #expect(try await Self.ping(second, [.xAuthToken: token]) == .ok, "made on the first, read from the store by the second")
            #expect(try await Self.ping(second, [.authorization: "Bearer \(token)"]) == .ok, "now from its cache")
            let logout = try await first.execute(uri: "/web/v1/logout_action", method: .get, headers: [.xAuthToken: token])
            #expect(logout.status == .ok)
            #expect(try await Self.ping(second, [.xAuthToken: token]) == .unauthorized, "ended on the first, refused by the second")
            #expect(try await Self.ping(first, [.xAuthToken: token]) == .unauthorized)
        }
    }

    @Test func aCASLoginOnOneIsCompletedOnTheOther() async throws {
        try await Self.withTwoManagers { _, first, _, second in
            // The login page (its ticket) from the first, the form posted to the second.
            let page = try await first.execute(uri: "/cas/login", method: .get)
            let html = String(buffer: page.body)
            let lt = try #require(html.range(of: #"LT-[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(html[$0]) })
            let session = try #require(BoundedAccessTests.cookie("casSessionId", page))
            func post(_ client: any TestClientProtocol) async throws -> TestResponse {
                try await client.execute(uri: "/cas/login", method: .post,
                                         headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "casSessionId=\(session)"],
                                         body: ByteBuffer(string: "username=admin&password=Test-pass-1&lt=\(lt)"))
            }
            let login = try await post(second)
            let tgt = try #require(BoundedAccessTests.cookie("CASTGC", login), "a login ticket signed by one is good on the other")
            #expect(try await post(first).status == .badRequest, "and used once, on whichever manager")
            let check = try await first.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"])
            let viaOne = try #require(BoundedAccessTests.cookie("JSESSIONID", check))
            let again = try await second.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"])
            #expect(BoundedAccessTests.cookie("JSESSIONID", again) == viaOne, "one grant, one session, on both managers")
        }
    }

    @Test func loginFailuresOnBothAddUpToTheLock() async throws {
        try await Self.withTwoManagers(configure: { $0.loginFailureLimit = 4 }) { _, first, _, second in
            let guess = basicAuth("admin", "wrong-guess")
            for client in [first, second, first, second] {
                #expect(try await Self.ping(client, [.authorization: guess]) == .unauthorized)
            }
            let refused = try await first.execute(uri: "/web/v1/ping", method: .get, headers: [.authorization: Self.admin])
            #expect(refused.status == .tooManyRequests, "four failures, two on each manager, lock the pair on both")
            #expect(try await Self.ping(second, [.authorization: Self.admin]) == .tooManyRequests)
        }
    }

    @Test func agentCredentialsAndTheJoinTokenAreTheSameOnBoth() async throws {
        try await Self.withTwoManagers { one, _, two, _ in
            let token = try String(contentsOfFile: one.options.dataDirectory + "/agent.token", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(await two.credentials.authenticate(bearer: token, host: nil) == .joiner)
            let rotated = try await one.credentials.rotateJoinToken()
            #expect(await two.credentials.authenticate(bearer: token, host: nil) == nil, "the old token is refused by the other")
            #expect(await two.credentials.authenticate(bearer: rotated, host: nil) == .joiner)
            let issued = try await two.credentials.issue(to: "host-9")
            #expect(await one.credentials.authenticate(bearer: issued.secret, host: "host-9") == .host("host-9", issued.state))
            await #expect(throws: StewardError.self) { try await one.credentials.issue(to: "host-9") }
            _ = try await one.credentials.revoke("host-9")
            #expect(await two.credentials.authenticate(bearer: issued.secret, host: "host-9") == nil, "revoked on one, refused by the other")
        }
    }
}
