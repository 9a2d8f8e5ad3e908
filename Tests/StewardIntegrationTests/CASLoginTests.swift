import Crypto
import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    /// The official Java example (examples.rst), step by step, with a plain
    /// HTTP client: CAS page, casSessionId from the first Set-Cookie, the login
    /// ticket from the sixth quote-split piece of its line, the form post,
    /// CASTGC from the last Set-Cookie, login_check, then a JSON start of a
    /// service with only the cookies. webUrl ends in "/web/", so its paths carry
    /// a double slash, as the example's do.
    @Test("the Java example's CAS login flow logs in and starts a service with cookies only")
    func javaExampleLoginFlow() async throws {
        try await withCluster { cluster, api in
            let casUrl = api.baseURL + "/cas/login"
            let webUrl = api.baseURL + "/web/"

            let page = try await RawHTTP.send(.GET, casUrl)
            #expect(page.status == 200)
            // The login page is as protected as the UI: no framing, only its own style.
            let policy = try #require(page.first("Content-Security-Policy"))
            #expect(policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"))
            #expect(page.first("X-Frame-Options") == "DENY")
            let style = try #require(page.body.components(separatedBy: "<style>").dropFirst().first?.components(separatedBy: "</style>").first)
            #expect(policy.contains("'sha256-\(Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString())'"),
                    "the policy does not allow the page's own style")
            let firstCookie = try #require(page.first("Set-Cookie"))
            let casSessionId = try #require(RawHTTP.cookieValue(firstCookie, "casSessionId"))
            #expect(firstCookie.contains("HttpOnly"))
            let ltLine = try #require(page.body.split(separator: "\n").first { $0.contains("name=\"lt\" value=") })
            let pieces = ltLine.trimmingCharacters(in: .whitespaces).split(separator: "\"", omittingEmptySubsequences: false)
            let loginTicket = String(pieces[5])
            #expect(loginTicket.hasPrefix("LT-"))

            // A wrong password answers with the sentence the example looks for.
            let wrong = try await RawHTTP.send(.POST, casUrl + "?service=" + webUrl + "/cas_security_check.htm",
                headers: [("Cookie", "casSessionId=" + casSessionId), ("Content-Type", "application/x-www-form-urlencoded")],
                body: "username=admin&password=nope&lt=\(loginTicket)&_eventId=submit&submit=Login")
            #expect(wrong.body.contains("The credentials you provided cannot be determined to be authentic"))
            #expect(wrong.all("Set-Cookie").allSatisfy { !$0.hasPrefix("CASTGC=") })

            // The ticket was used: fetch the page again, as the example does on each run.
            let again = try await RawHTTP.send(.GET, casUrl)
            let session2 = try #require(RawHTTP.cookieValue(again.first("Set-Cookie"), "casSessionId"))
            let lt2 = String(try #require(again.body.split(separator: "\n").first { $0.contains("name=\"lt\" value=") })
                .trimmingCharacters(in: .whitespaces).split(separator: "\"", omittingEmptySubsequences: false)[5])
            let login = try await RawHTTP.send(.POST, casUrl + "?service=" + webUrl + "/cas_security_check.htm",
                headers: [("Cookie", "casSessionId=" + session2), ("Content-Type", "application/x-www-form-urlencoded")],
                body: "username=admin&password=\(TestCluster.password)&lt=\(lt2)&_eventId=submit&submit=Login")
            #expect(login.status == 302)
            #expect(login.first("Location")?.contains("cas_security_check.htm?ticket=ST-") == true)
            let lastCookie = try #require(login.all("Set-Cookie").last)
            let tgc = try #require(RawHTTP.cookieValue(lastCookie, "CASTGC"))
            #expect(lastCookie.contains("Path=/"))
            #expect(lastCookie.contains("HttpOnly") && lastCookie.contains("SameSite"))

            // login_check with the CASTGC cookie establishes the web session.
            let check = try await RawHTTP.send(.GET, webUrl + "/v1/access/login_check", headers: [("Cookie", "CASTGC=" + tgc)])
            #expect(check.status == 200, "\(check.body)")
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(check.body.utf8)) as? [String: Any])
            for key in ["modify_pwd", "exist_cluster", "remind_pwd", "ref_URL", "token"] { #expect(fields[key] != nil, "no \(key)") }
            let session = try #require(check.all("Set-Cookie").compactMap { RawHTTP.cookieValue($0, "JSESSIONID") }.first)

            // A JSON POST with only the cookies, as HttpManager.sendHttpPostRequest sends it.
            let start = try await RawHTTP.send(.POST, webUrl + "/v1/maintain/cluster/1/service/Coordinator/start",
                headers: [("Cookie", "CASTGC=\(tgc); JSESSIONID=\(session)"), ("Content-Type", "application/json;charset=UTF-8")],
                body: #"{"only_self": true}"#)
            #expect(start.status == 200, "\(start.body)")
            let envelope = try JSONDecoder().decode(Envelope<NoResult>.self, from: Data(start.body.utf8))
            #expect(try await api.wait(for: envelope.id).state == .complete)
            let get = try await RawHTTP.send(.GET, webUrl + "/v1/clusters", headers: [("Cookie", "JSESSIONID=\(session)")])
            #expect(get.status == 200)

            // The token works as a request header for scripts.
            let token = try #require(fields["token"] as? String)
            #expect(try await RawHTTP.send(.GET, webUrl + "v1/clusters", headers: [("X-Auth-Token", token)]).status == 200)

            // Logging out ends the session and the ticket.
            #expect(try await RawHTTP.send(.GET, webUrl + "v1/logout_action", headers: [("Cookie", "JSESSIONID=\(session)")]).status == 200)
            #expect(try await RawHTTP.send(.GET, webUrl + "v1/clusters", headers: [("Cookie", "JSESSIONID=\(session)")]).status == 401)
            #expect(try await RawHTTP.send(.POST, api.baseURL + "/cas/logout", headers: [("Cookie", "CASTGC=\(tgc)")]).status == 200)
            #expect(try await RawHTTP.send(.GET, webUrl + "v1/access/login_check", headers: [("Cookie", "CASTGC=\(tgc)")]).status == 401)
        }
    }

    @Test("a cookie-authenticated change must be JSON from the manager's own origin; tokens and Basic are not affected")
    func crossSiteRequestsAreRefused() async throws {
        try await withCluster { cluster, api in
            let auth = "Basic " + Data("admin:\(TestCluster.password)".utf8).base64EncodedString()
            let check = try await RawHTTP.send(.GET, api.baseURL + "/web/v1/access/login_check", headers: [("Authorization", auth)])
            let session = try #require(check.all("Set-Cookie").compactMap { RawHTTP.cookieValue($0, "JSESSIONID") }.first)
            let url = api.baseURL + "/web/v1/maintain/cluster/1/service/Coordinator/start"
            let body = #"{"only_self": true}"#
            let cookie = ("Cookie", "JSESSIONID=\(session)")
            for headers in [[cookie, ("Content-Type", "text/plain")],
                            [cookie, ("Content-Type", "application/x-www-form-urlencoded")],
                            [cookie, ("Content-Type", "application/json"), ("Origin", "http://evil.example")],
                            [cookie, ("Content-Type", "application/json"), ("Sec-Fetch-Site", "cross-site")]] {
                let reply = try await RawHTTP.send(.POST, url, headers: headers, body: body)
                #expect(reply.status == 403, "\(headers)")
                #expect(reply.body.contains("\(ErrorCode.crossSiteRequest.rawValue)"))
            }
            #expect(try await api.progress(1).status == 404, "a refused request created no command")
            let host = api.baseURL.replacingOccurrences(of: "http://", with: "")
            let same = try await RawHTTP.send(.POST, url, headers: [cookie, ("Content-Type", "application/json"),
                                                                     ("Origin", "http://\(host)")], body: body)
            #expect(same.status == 200, "\(same.body)")
        }
    }
}
