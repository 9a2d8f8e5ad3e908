import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    /// Issue 10, part 4, against the real binary: each step is an attack that
    /// worked before and is refused now (the unit tests in BoundedAccessTests
    /// cover the rest through the router).
    @Test("login CSRF, login_check polling, logout of tokens and grants, audit flooding: refused or bounded on a live manager")
    func sessionsAndAuditAreBounded() async throws {
        try await withCluster(managerArgs: ["--login-failure-limit", "100"]) { cluster, api in
            let cas = api.baseURL + "/cas/login"
            let form = [("Content-Type", "application/x-www-form-urlencoded")]
            func ticket(_ body: String) throws -> String {
                let line = try #require(body.split(separator: "\n").first { $0.contains("name=\"lt\" value=") })
                return String(line.trimmingCharacters(in: .whitespaces).split(separator: "\"", omittingEmptySubsequences: false)[5])
            }
            // Login CSRF: a form posted from another site carries no casSessionId; the
            // ticket of the page it gets back must not log it in either.
            let forged = try await RawHTTP.send(.POST, cas, headers: form, body: "username=admin&password=\(TestCluster.password)&lt=LT-x")
            #expect(forged.status == 400)
            let replay = try await RawHTTP.send(.POST, cas, headers: form,
                                                body: "username=admin&password=\(TestCluster.password)&lt=\(try ticket(forged.body))")
            #expect(replay.status == 400)
            #expect(replay.all("Set-Cookie").allSatisfy { !$0.hasPrefix("CASTGC=") }, "no casSessionId, no login")

            // The documented flow: page, cookie, form.
            let page = try await RawHTTP.send(.GET, cas)
            let casSession = try #require(RawHTTP.cookieValue(page.first("Set-Cookie"), "casSessionId"))
            let login = try await RawHTTP.send(.POST, cas, headers: form + [("Cookie", "casSessionId=\(casSession)")],
                                               body: "username=admin&password=\(TestCluster.password)&lt=\(try ticket(page.body))")
            let tgc = try #require(RawHTTP.cookieValue(login.all("Set-Cookie").last, "CASTGC"))

            // Polling login_check with the CASTGC holds one session, not one per call.
            var sessions = Set<String>()
            for _ in 0..<200 {
                let check = try await RawHTTP.send(.GET, api.baseURL + "/web/v1/access/login_check", headers: [("Cookie", "CASTGC=\(tgc)")])
                sessions.formUnion(check.all("Set-Cookie").compactMap { RawHTTP.cookieValue($0, "JSESSIONID") })
            }
            #expect(sessions.count == 1)
            let metrics = String(decoding: try await api.raw(.GET, "/metrics").body, as: UTF8.self)
            #expect(metrics.contains(#"steward_sessions{kind="web"} 1"#), "\(metrics.split(separator: "\n").filter { $0.contains("sessions") })")

            // logout_action with the session as a Bearer token ends it and the grant it came from.
            let token = try #require(sessions.first)
            let bearer = [("Authorization", "Bearer \(token)")]
            #expect(try await RawHTTP.send(.GET, api.baseURL + "/web/v1/clusters", headers: bearer).status == 200)
            #expect(try await RawHTTP.send(.GET, api.baseURL + "/web/v1/logout_action", headers: bearer).status == 200)
            #expect(try await RawHTTP.send(.GET, api.baseURL + "/web/v1/clusters", headers: bearer).status == 401)
            #expect(try await RawHTTP.send(.GET, api.baseURL + "/web/v1/access/login_check",
                                           headers: [("Cookie", "CASTGC=\(tgc)")]).status == 401, "the CASTGC is ended too")

            // Flooding the audit log with wrong passwords: one entry per outcome, with a count.
            let guesser = StewardClient(baseURL: api.baseURL, user: "admin", password: "wrong-guess")
            for _ in 0..<30 { _ = try await guesser.raw(.GET, "/web/v1/clusters") }
            let audit = try await api.get("/web/v1/audit?action=LOGIN&result=FAILURE", as: AuditList.self)
            let entries = audit.envelope.resObj?.entries ?? []
            #expect(entries.map(\.count).reduce(0, +) == 30, "\(entries)")
            #expect(entries.count == Set(entries.map(\.errorCode)).count, "one entry per outcome: \(entries)")
            #expect(entries.count == 1)
        }
    }
}
