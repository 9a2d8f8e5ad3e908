import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// Part 4 of issue 10: sessions, tickets and the audit log are bounded. Each
/// test performs an attack through the real router and checks it fails.
@Suite("Bounded sessions, tickets, audit and streams")
struct BoundedAccessTests {
    static let admin = basicAuth("admin", "Test-pass-1")
    static func basic(_ user: String, _ password: String) -> String { basicAuth(user, password) }

    static func withManager(clock: ManualClock? = nil, configure: (inout ManagerOptions) -> Void = { _ in },
                            _ body: @Sendable (Manager, any TestClientProtocol) async throws -> Void) async throws {
        try await withTestRouter(clock: clock, configure: configure, body)
    }

    static func envelope<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> Envelope<T> {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body))
    }

    /// The value of a Set-Cookie of the response.
    static func cookie(_ name: String, _ response: TestResponse) -> String? {
        response.headers[values: .setCookie].compactMap { line -> String? in
            guard let pair = line.split(separator: ";").first, pair.hasPrefix(name + "=") else { return nil }
            return String(pair.dropFirst(name.count + 1))
        }.last
    }

    static func createUser(_ client: any TestClientProtocol, _ name: String, _ password: String) async throws {
        let created = try await client.execute(uri: "/web/v1/access/users", method: .post,
                                               headers: [.authorization: admin, .contentType: "application/json"],
                                               body: ByteBuffer(string: #"{"user_name":"\#(name)","role":"operator","password":"\#(password)"}"#))
        #expect(created.status == .ok)
    }

    /// A CAS login through the form: the CASTGC.
    static func casLogin(_ client: any TestClientProtocol, _ user: String, _ password: String) async throws -> String? {
        let page = try await client.execute(uri: "/cas/login", method: .get)
        let html = String(buffer: page.body)
        let lt = try #require(html.range(of: #"LT-[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(html[$0]) })
        let session = try #require(cookie("casSessionId", page))
        let login = try await client.execute(uri: "/cas/login", method: .post,
                                             headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "casSessionId=\(session)"],
                                             body: ByteBuffer(string: "username=\(user)&password=\(password)&lt=\(lt)"))
        return cookie("CASTGC", login)
    }

    @Test("login_check polled 1,000 times with one CASTGC (or one JSESSIONID) holds one web session, shown by steward_sessions")
    func loginCheckReusesTheCallersSession() async throws {
        try await Self.withManager { manager, client in
            let tgt = try #require(try await Self.casLogin(client, "admin", "Test-pass-1"))
            var tokens = Set<String>()
            for _ in 0..<1000 {
                let check = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"])
                #expect(check.status == .ok)
                tokens.insert(Self.cookie("JSESSIONID", check) ?? "")
            }
            #expect(tokens.count == 1, "one CASTGC, one session")
            #expect(manager.auth.sessions.counts.webSessions == 1)
            let token = try #require(tokens.first)
            for headers: HTTPFields in [[.cookie: "JSESSIONID=\(token)"], [.xAuthToken: token], [.authorization: "Bearer \(token)"]] {
                for _ in 0..<100 {
                    let check = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: headers)
                    #expect(check.status == .ok)
                    #expect(Self.cookie("JSESSIONID", check) == token, "the caller's own session comes back")
                }
            }
            #expect(manager.auth.sessions.counts.webSessions == 1)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: Self.admin])
            #expect(String(buffer: metrics.body).contains(#"steward_sessions{kind="web"} 1"#), "\(String(buffer: metrics.body).prefix(4000))")
        }
    }

    @Test("a POST /cas/login without the casSessionId of its login ticket, or with another one, is refused (login CSRF)")
    func theLoginTicketIsBoundToItsCasSession() async throws {
        try await Self.withManager { manager, client in
            func post(_ lt: String, cookie: String?) async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let cookie { headers[.cookie] = "casSessionId=\(cookie)" }
                return try await client.execute(uri: "/cas/login", method: .post, headers: headers,
                                                body: ByteBuffer(string: "username=admin&password=Test-pass-1&lt=\(lt)"))
            }
            func ticket(_ response: TestResponse) throws -> String {
                let html = String(buffer: response.body)
                return try #require(html.range(of: #"LT-[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(html[$0]) })
            }
            // A forged cross-site form carries no cookie: the retry page's ticket must not log it in either.
            let first = try await post("LT-forged", cookie: nil)
            #expect(first.status == .badRequest)
            let second = try await post(try ticket(first), cookie: nil)
            #expect(second.status == .badRequest)
            #expect(Self.cookie("CASTGC", second) == nil, "no cookie, no login")

            let page = try await client.execute(uri: "/cas/login", method: .get)
            let session = try #require(Self.cookie("casSessionId", page))
            let other = try #require(Self.cookie("casSessionId", try await client.execute(uri: "/cas/login", method: .get)))
            let wrong = try await post(try ticket(page), cookie: other)
            #expect(wrong.status == .badRequest && Self.cookie("CASTGC", wrong) == nil, "another browser's casSessionId")
            let again = try await client.execute(uri: "/cas/login", method: .get)
            let none = try await post(try ticket(again), cookie: nil)
            #expect(none.status == .badRequest && Self.cookie("CASTGC", none) == nil, "a valid ticket without its cookie")

            // The documented flow still works: the ticket with its own cookie.
            let page2 = try await client.execute(uri: "/cas/login", method: .get)
            let ok = try await post(try ticket(page2), cookie: Self.cookie("casSessionId", page2))
            #expect(Self.cookie("CASTGC", ok)?.hasPrefix("TGT-") == true)
            // And a browser whose cookie was lost gets a new one with the retry page, which then logs in.
            let retry = try await post("LT-stale", cookie: nil)
            let fresh = try #require(Self.cookie("casSessionId", retry))
            #expect(Self.cookie("CASTGC", try await post(try ticket(retry), cookie: fresh))?.hasPrefix("TGT-") == true)
            _ = session
        }
    }

    @Test("logout_action ends the bearer token it was called with, the X-Auth-Token and the CAS grant")
    func logoutEndsTokensAndTheGrant() async throws {
        try await Self.withManager { manager, client in
            let check = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.authorization: Self.admin])
            let token = try #require(Self.cookie("JSESSIONID", check))
            let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
            #expect(try await client.execute(uri: "/web/v1/clusters", method: .get, headers: bearer).status == .ok)
            #expect(try await client.execute(uri: "/web/v1/logout_action", method: .get, headers: bearer).status == .ok)
            #expect(try await client.execute(uri: "/web/v1/clusters", method: .get, headers: bearer).status == .unauthorized,
                    "the bearer token is ended")

            let tgt = try #require(try await Self.casLogin(client, "admin", "Test-pass-1"))
            let web = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"])
            let session = try #require(Self.cookie("JSESSIONID", web))
            // The Java client sends its session as a token; the CASTGC is not sent to /web/v1 by it.
            #expect(try await client.execute(uri: "/web/v1/logout_action", method: .get, headers: [.xAuthToken: session]).status == .ok)
            #expect(try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"]).status
                    == .unauthorized, "the CAS grant the session came from is ended: the CASTGC logs nobody in again")

            let tgt2 = try #require(try await Self.casLogin(client, "admin", "Test-pass-1"))
            let other = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.authorization: Self.admin])
            let basicSession = try #require(Self.cookie("JSESSIONID", other))
            let out = try await client.execute(uri: "/web/v1/logout_action", method: .get,
                                               headers: [.cookie: "JSESSIONID=\(basicSession); CASTGC=\(tgt2)"])
            #expect(out.status == .ok)
            #expect(try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt2)"]).status
                    == .unauthorized, "a CASTGC sent to logout_action is ended")
        }
    }

    @Test("a user who must change the initial password is refused everything else by Basic, token, session cookie and CAS, until it changes it")
    func aMustChangeUserCanOnlyChangeItsPassword() async throws {
        try await Self.withManager { manager, client in
            try await Self.createUser(client, "mona", "Initial-pass-1")
            let basic = Self.basic("mona", "Initial-pass-1")
            func refused(_ headers: HTTPFields, _ how: String, uri: String = "/web/v1/clusters") async throws {
                let r = try await client.execute(uri: uri, method: .get, headers: headers)
                #expect(r.status == .forbidden, "\(how) \(uri)")
                #expect(try Self.envelope(NoResult.self, r).errorCode == ErrorCode.passwordChangeRequired.rawValue, "\(how)")
                #expect(try Self.envelope(NoResult.self, r).state == .failed)
            }
            try await refused([.authorization: basic], "Basic")
            try await refused([.authorization: basic], "Basic", uri: "/metrics")
            let check = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.authorization: basic])
            #expect(check.status == .ok, "login_check stays open: the UI learns modify_pwd from it")
            #expect(String(buffer: check.body).contains(#""modify_pwd":true"#))
            let token = try #require(Self.cookie("JSESSIONID", check))
            try await refused([.xAuthToken: token], "X-Auth-Token")
            try await refused([.authorization: "Bearer \(token)"], "Bearer")
            try await refused([.cookie: "JSESSIONID=\(token)"], "session cookie")
            let tgt = try #require(try await Self.casLogin(client, "mona", "Initial-pass-1"))
            let cas = try await client.execute(uri: "/web/v1/access/login_check", method: .get, headers: [.cookie: "CASTGC=\(tgt)"])
            try await refused([.cookie: "JSESSIONID=\(try #require(Self.cookie("JSESSIONID", cas)))"], "CAS session")

            let change = try await client.execute(
                uri: "/web/v1/access/modify_self_password?old_password=Initial-pass-1&new_password=Chosen-pass-2&confirm_password=Chosen-pass-2",
                method: .post, headers: [.authorization: basic, .contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(change.status == .ok, "changing it is allowed")
            let after = try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: Self.basic("mona", "Chosen-pass-2")])
            #expect(after.status == .ok, "once changed, everything the role allows")
        }
    }

    @Test("50 failed logins from one source within a minute are one audit entry with count 50; a minute later a new one starts")
    func repeatedFailuresAreOneEntryWithACount() async throws {
        let clock = ManualClock()
        try await Self.withManager(clock: clock, configure: { $0.loginFailureLimit = 1000 }) { manager, client in
            let wrong = Self.basic("admin", "wrong-guess")
            for _ in 0..<50 {
                #expect(try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: wrong]).status == .unauthorized)
            }
            func failures() async throws -> [AuditEntry] {
                let r = try await client.execute(uri: "/web/v1/audit?action=LOGIN&result=FAILURE", method: .get, headers: [.authorization: Self.admin])
                return try Self.envelope(AuditList.self, r).resObj?.entries ?? []
            }
            let entries = try await failures()
            #expect(entries.count == 1, "\(entries)")
            #expect(entries.first?.count == 50)
            clock.advance(seconds: 61)
            _ = try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: wrong])
            #expect(try await failures().map(\.count) == [1, 50], "a minute later, a new entry")
            let successes = try await client.execute(uri: "/web/v1/audit?action=LOGIN&result=SUCCESS", method: .get, headers: [.authorization: Self.admin])
            #expect(try Self.envelope(AuditList.self, successes).resObj?.entries.allSatisfy { $0.count == 1 } == true)
        }
    }

    @Test("entries older than the retention are pruned by the housekeeping")
    func theRetentionPrunesOldEntries() async throws {
        let clock = ManualClock()
        try await Self.withManager(clock: clock, configure: { $0.auditRetentionDays = 90 }) { manager, client in
            _ = try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: Self.basic("admin", "wrong")])
            _ = try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: Self.admin])
            #expect(try await manager.store.audit(AuditFilter()).count == 2)
            clock.advance(seconds: 89 * 86_400)
            await manager.housekeep()
            #expect(try await manager.store.audit(AuditFilter()).count == 2, "within the retention, kept")
            _ = try await client.execute(uri: "/web/v1/clusters", method: .get, headers: [.authorization: Self.basic("admin", "wrong")])
            clock.advance(seconds: 2 * 86_400)
            await manager.housekeep()
            let left = try await manager.store.audit(AuditFilter())
            #expect(left.count == 1, "only the entry of 2 days ago is left: \(left)")
        }
    }

    @Test("?dry_run=true hides nothing from the audit on a route without a dry run; on one with it, the plan is not recorded")
    func dryRunSkipsTheAuditOnlyWhereThereIsOne() async throws {
        try await Self.withManager { manager, client in
            let created = try await client.execute(uri: "/web/v1/access/users?dry_run=true", method: .post,
                                                   headers: [.authorization: Self.admin, .contentType: "application/json"],
                                                   body: ByteBuffer(string: #"{"user_name":"sly","role":"admin","password":"Admin2-pass-123"}"#))
            #expect(created.status == .ok, "the route has no dry run: the user is created for real")
            let plan = try await client.execute(uri: "/web/v1/maintain/cluster/1/service/Gateway/start?dry_run=true", method: .post,
                                                headers: [.authorization: Self.admin, .contentType: "application/json"],
                                                body: ByteBuffer(string: "{}"))
            #expect(plan.status == .ok)
            let entries = try await manager.store.audit(AuditFilter())
            #expect(entries.contains { $0.action == "USER_CREATE" && $0.result == .success }, "\(entries.map(\.action))")
            #expect(!entries.contains { $0.action == "SERVICE_START" }, "a real dry run is not recorded")
        }
    }

    @Test("a user's long polls beyond --max-streams-per-user are refused with 429; other users are not")
    func streamsAreLimitedPerUser() async throws {
        try await Self.withManager(configure: { $0.maxStreamsPerUser = 2 }) { manager, client in
            // A command in progress (no agent runs here to end it): its long polls wait.
            let id: Int64 = 4242
            _ = manager.progress.publish(Command(id: id, kind: .startService, clusterId: 1, target: "Gateway", user: "admin",
                                                 services: ["Gateway"], steps: [], createdAt: 0))
            let poll = "/web/v1/common/command/\(id)/progress?wait=60&version=1000000"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { _ = try await client.execute(uri: poll, method: .get, headers: [.authorization: Self.admin]) }
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while manager.streams.openCount(for: "admin") < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                #expect(manager.streams.openCount(for: "admin") == 2, "both polls wait (the command has not ended)")
                let refused = try await client.execute(uri: poll, method: .get, headers: [.authorization: Self.admin])
                #expect(refused.status == .tooManyRequests)
                #expect(try Self.envelope(NoResult.self, refused).errorCode == ErrorCode.tooManyStreams.rawValue)
                let stream = try await client.execute(uri: "/web/v1/common/command/\(id)/progress", method: .get,
                                                      headers: [.authorization: Self.admin, .accept: "text/event-stream"])
                #expect(stream.status == .tooManyRequests, "an event stream counts too")
                try await Self.createUser(client, "olaf", "Nordic-pass-123")
                _ = try await client.execute(
                    uri: "/web/v1/access/modify_self_password?old_password=Nordic-pass-123&new_password=Nordic-pass-456&confirm_password=Nordic-pass-456",
                    method: .post, headers: [.authorization: Self.basic("olaf", "Nordic-pass-123"), .contentType: "application/json"],
                    body: ByteBuffer(string: "{}"))
                let other = try await client.execute(uri: "/web/v1/common/command/\(id)/progress?wait=1&version=1000000", method: .get,
                                                     headers: [.authorization: Self.basic("olaf", "Nordic-pass-456")])
                #expect(other.status == .ok, "another user has slots of its own")
                group.cancelAll()
            }
        }
    }
}
