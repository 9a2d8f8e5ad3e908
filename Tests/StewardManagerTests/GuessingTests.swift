import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import StewardManager
import StewardAPI
import StewardStore
import Testing

/// Password guessing costs the guesser, not the manager: each test performs
/// one attack on a manager in this process, through its real router.
@Suite("Password guessing")
struct GuessingTests {
    static func basic(_ user: String, _ password: String) -> String { basicAuth(user, password) }
    static let admin = basic("admin", "Test-pass-1")

    /// A manager (fast hashes unless `configure` says otherwise) and a client of its router.
    static func withManager(_ configure: (inout ManagerOptions) -> Void = { _ in },
                            _ body: @Sendable (Manager, any TestClientProtocol) async throws -> Void) async throws {
        try await withTestRouter(configure: configure, body)
    }

    static func get(_ client: any TestClientProtocol, _ auth: String, _ uri: String = "/web/v1/ping") async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: [.authorization: auth])
    }

    static func code(_ response: TestResponse) -> Int? {
        (try? JSONDecoder().decode(Envelope<NoResult>.self, from: Data(buffer: response.body)))?.errorCode
    }

    /// A user straight into the store, with no initial-password flag (so that
    /// no must-change rule stands between it and the routes).
    static func addUser(_ manager: Manager, _ name: String, _ password: String, role: UserRole = .operator) async throws {
        let hash = try PasswordHasher.hash(password, rounds: 10_000)
        try await manager.store.insertUser(UserRecord(name: name, passwordHash: hash, role: role, mustChangePassword: false, createdAt: 0))
    }

    @Test func concurrentWrongGuessesRunNoMoreHashesThanTheLimit() async throws {
        try await Self.withManager { manager, client in
            let before = manager.auth.pool.hashes
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for n in 0..<200 {
                    group.addTask { try await Self.get(client, Self.basic("admin", "guess-\(n)")).status.code }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            let hashed = manager.auth.pool.hashes - before
            #expect(Set(statuses).isSubset(of: [401, 429]))
            #expect(hashed <= manager.options.loginFailureLimit, "each guess is counted before its hash runs")
            #expect(statuses.filter { $0 == 401 }.count == hashed, "only the guesses that were checked get a 401")
            #expect(statuses.filter { $0 == 429 }.count == 200 - hashed)
        }
    }

    /// Pollers of one user whose cached entry is missing or has expired ask
    /// at once with the right credentials: one check between them, and none
    /// taken for a guesser (each used to reserve a try, and the sixth was refused for 300 s).
    @Test func concurrentRightCredentialsShareOneCheckAndNoneIsRefused() async throws {
        try await Self.withManager { manager, client in
            try await Self.addUser(manager, "ann", "Ann-pass-12")
            let gate = Gate(hold: 1)
            manager.auth.pool.setGate { await gate.pass() }
            let before = manager.auth.pool.hashes
            let ann = Self.basic("ann", "Ann-pass-12"), n = 4 * manager.options.loginFailureLimit
            let polls = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for _ in 0..<n { group.addTask { try await Self.get(client, ann).status.code } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            // The first check is held in the pool until every other request waits for it.
            try await waitUntil { manager.auth.shared.joined == n - 1 }
            await gate.release()
            #expect(try await polls.value == Array(repeating: 200, count: n))
            #expect(manager.auth.pool.hashes - before == 1, "one hash for all of them")
        }
    }

    @Test func aFullHashPoolRefusesAtOnceWhileCachedCredentialsPass() async throws {
        try await Self.withManager({ $0.passwordHashConcurrency = 2; $0.passwordHashQueue = 3 }) { manager, client in
            #expect(try await Self.get(client, Self.admin).status == .ok)
            let gate = Gate(hold: .max)
            manager.auth.pool.setGate { await gate.pass() }
            // Five different names: the throttle lets each through; the pool holds two and queues three.
            let held = Task {
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for n in 0..<5 { group.addTask { try await Self.get(client, Self.basic("user\(n)", "guess")).status.code } }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
            }
            try await waitUntil { manager.auth.pool.load == (2, 3) }
            let extra = Task { try await Self.get(client, Self.basic("user9", "guess")) }
            try await waitUntil { manager.auth.pool.refused == 1 || manager.auth.pool.load.waiting > 3 }
            guard manager.auth.pool.load.waiting == 3 else {
                Issue.record("a check beyond the queue's bound was queued")
                await gate.release()
                return
            }
            let refused = try await extra.value
            #expect(refused.status == .tooManyRequests, "refused at once, not queued behind the held checks")
            #expect(Self.code(refused) == ErrorCode.passwordCheckBusy.rawValue)
            #expect(String(buffer: refused.body).contains(#""state":"FAILED""#))
            #expect(try await Self.get(client, Self.admin).status == .ok, "a cached credential takes no slot")
            // A real user from a source with no failures is not pushed out: it takes the newest guess's place.
            let real = Task { try await manager.auth.login(user: "admin", password: "Test-pass-1", source: "127.0.0.3", via: "test") }
            try await waitUntil { manager.auth.pool.refused == 2 }
            await gate.release()
            #expect(try await real.value.name == "admin")
            #expect(try await held.value.sorted() == [401, 401, 401, 401, 429], "the newest guess gave up its place")
        }
    }

    @Test func everySpellingOfOneBasicHeaderHitsTheSameCacheEntry() async throws {
        try await Self.withManager { manager, client in
            let encoded = Data("admin:Test-pass-1".utf8).base64EncodedString()
            let first = try await Self.get(client, "Basic " + encoded)
            #expect(first.status == .ok)
            let before = manager.auth.pool.hashes
            for spelling in ["basic ", "BASIC ", "Basic    ", "bAsIc \t "] {
                let response = try await Self.get(client, spelling + encoded)
                #expect(response.status == .ok, "\(spelling)")
            }
            #expect(manager.auth.pool.hashes == before, "no spelling paid the slow hash again")
        }
    }

    /// A check of the old credentials held in the pool while an admin changes
    /// the user; after the change, the old credentials must not work, even
    /// though that check started before it.
    @Test(arguments: ["password", "role", "removal"])
    func aChangeDuringASlowCheckTakesEffectOnTheNextRequest(change: String) async throws {
        try await Self.withManager { manager, client in
            try await Self.addUser(manager, "ann", "Old-pass-12")
            #expect(try await Self.get(client, Self.admin).status == .ok)
            let gate = Gate(hold: 1)
            manager.auth.pool.setGate { await gate.pass() }
            let old = Self.basic("ann", "Old-pass-12")
            let slow = Task { try await Self.get(client, old).status }
            try await waitUntil { await gate.arrived == 1 }
            let json: HTTPFields = [.authorization: Self.admin, .contentType: "application/json"]
            let done: TestResponse = switch change {
            case "password":
                try await client.execute(uri: "/web/v1/access/users/ann", method: .put, headers: json,
                                         body: ByteBuffer(string: #"{"password":"New-pass-34"}"#))
            case "role":
                try await client.execute(uri: "/web/v1/access/users/ann", method: .put, headers: json,
                                         body: ByteBuffer(string: #"{"role":"viewer"}"#))
            default:
                try await client.execute(uri: "/web/v1/access/users/ann", method: .delete, headers: [.authorization: Self.admin])
            }
            #expect(done.status == .ok)
            await gate.release()
            _ = try await slow.value
            // An operator-only change to a cluster that is not there: 404 for an operator, 403 for a viewer.
            let next = try await client.execute(uri: "/web/v1/maintain/cluster/99/service/Gateway/start", method: .post,
                                                headers: [.authorization: old, .contentType: "application/json"],
                                                body: ByteBuffer(string: "{}"))
            #expect(next.status == (change == "role" ? .forbidden : .unauthorized), "the old \(change) no longer counts")
        }
    }

    @Test func aStoredHashOfFewerRoundsIsUpgradedAtTheNextLogin() async throws {
        try await Self.withManager({ $0.passwordHashRounds = 600_000 }) { manager, client in
            let hash = try PasswordHasher.hash("Old-pass-12", rounds: 210_000)
            try await manager.store.insertUser(UserRecord(name: "olga", passwordHash: hash, role: .viewer,
                                                          mustChangePassword: false, createdAt: 0))
            #expect(try await Self.get(client, Self.basic("olga", "Wrong-pass-1")).status == .unauthorized)
            #expect(try await manager.store.user(named: "olga")?.passwordHash == hash, "a failed login changes nothing")
            #expect(try await Self.get(client, Self.basic("olga", "Old-pass-12")).status == .ok)
            let upgraded = try #require(try await manager.store.user(named: "olga")?.passwordHash)
            #expect(upgraded.hasPrefix("pbkdf2-sha256$600000$"))
            #expect(PasswordHasher.verify("Old-pass-12", against: upgraded))
        }
    }

    @Test func wrongOldPasswordsAreThrottledLikeFailedLogins() async throws {
        try await Self.withManager { manager, client in
            #expect(try await Self.get(client, Self.admin).status == .ok)
            let before = manager.auth.pool.hashes
            func change(_ old: String) async throws -> TestResponse {
                let body = #"{"old_password":"\#(old)","new_password":"Brand-new-77","confirm_password":"Brand-new-77"}"#
                return try await client.execute(uri: "/web/v1/access/modify_self_password", method: .post,
                                                headers: [.authorization: Self.admin, .contentType: "application/json"],
                                                body: ByteBuffer(string: body))
            }
            for n in 0..<manager.options.loginFailureLimit {
                let wrong = try await change("guess-\(n)")
                #expect(wrong.status == .badRequest)
                #expect(Self.code(wrong) == ErrorCode.passwordRejected.rawValue)
            }
            let locked = try await change("Test-pass-1")
            #expect(locked.status == .tooManyRequests, "even the right old password waits now")
            #expect(Self.code(locked) == ErrorCode.loginThrottled.rawValue)
            #expect(manager.auth.pool.hashes - before == manager.options.loginFailureLimit)
            #expect(try await Self.get(client, Self.admin).status == .ok, "the session itself goes on")
        }
    }

    /// Two sources, given explicitly: the guesser's and the real user's.
    @Test func aLockedSourceDoesNotLockTheUserOutFromAnother() async throws {
        try await Self.withManager { manager, _ in
            for _ in 0..<manager.options.loginFailureLimit {
                await #expect(throws: StewardError.self) {
                    try await manager.auth.login(user: "admin", password: "guess", source: "127.0.0.2", via: "test")
                }
            }
            do {
                _ = try await manager.auth.login(user: "admin", password: "Test-pass-1", source: "127.0.0.2", via: "test")
                Issue.record("the guessing source is not locked")
            } catch let error as StewardError {
                #expect(error.code == .loginThrottled)
            }
            let user = try await manager.auth.login(user: "admin", password: "Test-pass-1", source: "127.0.0.3", via: "test")
            #expect(user.name == "admin", "the real user, from where it has not failed, logs in")
        }
    }

    @Test func theThrottleBacksOffExponentiallyPerUserAndSource() async throws {
        let clock = ManualClock()
        try await Self.backsOff(LoginThrottle(limit: 2, lockSeconds: 60, clock: clock), clock)
    }

    /// The same in the store: what two managers on one database share.
    @Test func theThrottleInTheStoreBacksOffAlike() async throws {
        let clock = ManualClock()
        try await withSharedStore { store, _ in
            try await Self.backsOff(LoginThrottle(limit: 2, lockSeconds: 60, clock: clock, store: store), clock)
        }
    }

    static func backsOff(_ throttle: LoginThrottle, _ clock: ManualClock) async throws {
        func seconds(_ v: LoginThrottle.Verdict) -> Int? { if case .wait(let s, _) = v { s } else { nil } }
        func fail(_ user: String = "ann", _ source: String = "10.0.0.1") async throws { _ = try await throttle.reserve(user: user, source: source) }
        try await fail(); try await fail()
        #expect(seconds(try await throttle.reserve(user: "ann", source: "10.0.0.1")) == 60)
        guard case .wait(_, let first) = try await throttle.reserve(user: "ann", source: "10.0.0.1"), !first else {
            Issue.record("only the first refusal of a lock is to be audited"); return
        }
        #expect(seconds(try await throttle.reserve(user: "ann", source: "10.0.0.9")) == nil, "another source is not locked")
        clock.advance(seconds: 61)
        try await fail()
        #expect(seconds(try await throttle.reserve(user: "ann", source: "10.0.0.1")) == 120, "the next lock is twice as long")
        clock.advance(seconds: 121)
        try await fail()
        #expect(seconds(try await throttle.reserve(user: "ann", source: "10.0.0.1")) == 240)
        // A source trying many names: four times the allowance across users.
        for n in 0..<8 { try await fail("u\(n)", "10.0.0.7") }
        #expect(seconds(try await throttle.reserve(user: "carl", source: "10.0.0.7")) != nil)
        // A success clears the pair; a check that never ran gives its reservation back.
        guard case .go(let ok) = try await throttle.reserve(user: "bob", source: "10.0.0.2") else { Issue.record("bob is locked"); return }
        try await throttle.succeeded(ok)
        for _ in 0..<5 {
            guard case .go(let attempt) = try await throttle.reserve(user: "bob", source: "10.0.0.2") else {
                Issue.record("cancelled tries count"); return
            }
            try await throttle.cancel(attempt)
        }
    }
}

/// Holds the first `hold` callers until released, and counts them all.
actor Gate {
    private let hold: Int
    private var released = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var arrived = 0

    init(hold: Int) { self.hold = hold }

    func pass() async {
        arrived += 1
        guard !released, arrived <= hold else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        released = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

/// Waits for a condition the test cannot be told about, checking it every few milliseconds.
func waitUntil(_ condition: @Sendable () async throws -> Bool) async throws {
    for _ in 0..<2000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("the condition did not become true")
}
