import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardEngine

/// The CAS-compatible login flow that existing clients use:
/// `GET /cas/login` (casSessionId cookie and a login ticket), `POST /cas/login`
/// (form login; the CASTGC cookie, last; a redirect to the service with a
/// service ticket), `GET /web/cas_security_check.htm` (service ticket to web
/// session), and `/cas/logout`. CAS and the API share one listener.
extension Manager {
    func addCASRoutes(to router: Router<StewardRequestContext>) {
        router.get("/cas/login") { request, context -> Response in
            let casSession = SessionStore.token("")
            let lt = self.auth.sessions.newLoginTicket(casSession: casSession)
            let service = self.allowedService(request)
            var response = Self.html(LoginPage.form(loginTicket: lt, service: service, message: nil))
            // The first Set-Cookie is casSessionId: clients read it from there.
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie("casSessionId", casSession, path: "/cas")))
            return response
        }

        router.post("/cas/login") { request, context -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let form = Self.parseForm(String(buffer: body))
            let service = self.allowedService(request)
            let casSession = requestCookies(request)["casSessionId"] ?? ""
            let name = form["username"] ?? ""
            func retry(_ status: HTTPResponse.Status, _ message: String) -> Response {
                let lt = self.auth.sessions.newLoginTicket(casSession: casSession)
                return Self.html(LoginPage.form(loginTicket: lt, service: service, message: message), status: status)
            }
            guard let lt = form["lt"], self.auth.sessions.consumeLoginTicket(lt, casSession: casSession) else {
                return retry(.badRequest, "The login ticket is missing, used or expired; log in again from this page.")
            }
            let user: AuthenticatedUser
            do {
                user = try await self.auth.login(user: name, password: form["password"] ?? "", source: context.remoteAddress, via: "cas")
            } catch let error as StewardError where error.code == .loginThrottled {
                return retry(.tooManyRequests, error.message)
            } catch let error as StewardError where error.code == .unauthenticated {
                return retry(.unauthorized, LoginPage.wrongCredentials)
            }
            let tgt = self.auth.sessions.newGrant(user: user.name, role: user.role)
            var response: Response
            if user.mustChangePassword {
                response = Self.html(LoginPage.message(
                    "Change your password", "You logged in with an initial password and must change it before you continue.",
                    link: (LoginPage.changePasswordPage, "Change the password (modify_password.html)")))
            } else if let service {
                let st = self.auth.sessions.newServiceTicket(grant: tgt)
                response = Response(status: .found)
                response.headers[.location] = service + (service.contains("?") ? "&" : "?") + "ticket=" + st
            } else {
                response = Self.html(LoginPage.message("Logged in", "You are logged in to Steward as \(user.name)."))
            }
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie("casSessionId", "", path: "/cas", maxAge: 0)))
            // The last Set-Cookie is CASTGC: clients read it from there.
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie("CASTGC", tgt)))
            return response
        }

        let logout: @Sendable (Request, StewardRequestContext) async throws -> Response = { request, context in
            let cookies = requestCookies(request)
            if let tgt = cookies["CASTGC"], let grant = self.auth.sessions.grant(tgt) {
                self.auth.sessions.endGrant(tgt)
                await self.auditor.record(user: grant.user, source: context.remoteAddress, action: "LOGOUT", target: "cas",
                                          result: .success, status: 200, code: .success)
            }
            var response = Self.html(LoginPage.message("Logged out", "You are logged out of Steward.", link: ("/", "Log in again")))
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie("CASTGC", "", maxAge: 0)))
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie(AuthMiddleware.sessionCookie, "", maxAge: 0)))
            return response
        }
        router.post("/cas/logout", use: logout)
        router.get("/cas/logout", use: logout)

        // The service of the CAS flow: trades a service ticket for a web session.
        router.get("/web/cas_security_check.htm") { request, context -> Response in
            guard let st = request.uri.queryParameters.get("ticket"),
                  let (grant, parent) = self.auth.sessions.consumeServiceTicket(st) else {
                throw StewardError(.unauthenticated, "The service ticket is missing, used or expired; log in again at /cas/login.")
            }
            let token = self.auth.sessions.newWebSession(user: grant.user, role: grant.role, parent: parent)
            var response = Response(status: .found)
            // `next` (the web UI's own page) or, as clients expect, login_check.
            response.headers[.location] = Self.localPath(request.uri.queryParameters.get("next")) ?? "/web/v1/access/login_check"
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie(AuthMiddleware.sessionCookie, token)))
            return response
        }
    }

    /// The `service` to redirect to after login: only this manager's own URLs,
    /// so that the login page cannot be used to send users elsewhere.
    func allowedService(_ request: Request) -> String? {
        guard let service = request.uri.queryParameters.get("service"), !service.isEmpty else { return nil }
        if service.hasPrefix("/") { return Self.localPath(service) }
        // Browsers drop tabs and newlines from URLs and read "\\" as "/": none may pass.
        guard !service.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\\" }) else { return nil }
        let host = request.head.authority ?? ""
        for scheme in ["http://", "https://"] where service.hasPrefix(scheme + host + "/") {
            return service
        }
        return nil
    }

    /// A path on this manager, or nil: never another site. Browsers drop
    /// tabs and newlines from a URL and read `\\` as `/`, so `/\t/host` and
    /// `/\\host` would be `//host`: no control character, space or backslash passes.
    static func localPath(_ path: String?) -> String? {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"),
              !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }) else { return nil }
        return path
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html;charset=UTF-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// application/x-www-form-urlencoded.
    static func parseForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let key = kv.first else { continue }
            out[decode(key)] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return out
    }
}
