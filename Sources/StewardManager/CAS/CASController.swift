import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import StewardAPI
import StewardEngine

/// The CAS-compatible login flow that existing clients use:
/// `GET /cas/login` (casSessionId cookie and a login ticket), `POST /cas/login`
/// (form login; the CASTGC cookie, last; a redirect to the service with a
/// service ticket), `GET /web/cas_security_check.htm` (service ticket to web
/// session), and `/cas/logout`. CAS and the API share one listener.
struct CASController {
    typealias Context = StewardRequestContext
    let auth: Authenticator
    let auditor: Auditor

    func addRoutes(to router: Router<Context>) {
        router.get("/cas/login", use: loginPage)
        router.post("/cas/login", use: login)
        router.get("/cas/logout", use: logout)
        router.post("/cas/logout", use: logout)
        router.get("/web/cas_security_check.htm", use: securityCheck)
    }

    /// The login form, with a login ticket bound to a new casSessionId.
    @Sendable func loginPage(_ request: Request, context: Context) async throws -> Response {
        let casSession = SessionStore.token("")
        let lt = auth.sessions.newLoginTicket(casSession: casSession)
        var response = Self.html(LoginPage.form(loginTicket: lt, service: allowedService(request), message: nil))
        // The first Set-Cookie is casSessionId: clients read it from there.
        response.headers.append(auth.cookie("casSessionId", casSession, path: "/cas"))
        return response
    }


    /// A form login: the CASTGC cookie, last, and a redirect to the service with a service ticket.
    /// The login ticket must come back with the casSessionId cookie it was
    /// issued with: a form posted from another site (login CSRF, which would
    /// log the victim in as the attacker) carries neither.
    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        let form = LoginForm(String(buffer: body))
        let service = allowedService(request)
        let presented = request.cookies["casSessionId"]?.value ?? ""
        // Without the cookie, the retry form comes with a new one, bound to its ticket.
        let casSession = presented.isEmpty ? SessionStore.token("") : presented
        func retry(_ status: HTTPResponse.Status, _ message: String) -> Response {
            let lt = auth.sessions.newLoginTicket(casSession: casSession)
            var response = Self.html(LoginPage.form(loginTicket: lt, service: service, message: message), status: status)
            if presented.isEmpty { response.headers.append(auth.cookie("casSessionId", casSession, path: "/cas")) }
            return response
        }
        guard let lt = form.lt, try await auth.sessions.consumeLoginTicket(lt, casSession: presented) else {
            return retry(.badRequest, "The login ticket is missing, used, expired or not from this browser; log in again from this page.")
        }
        let user: AuthenticatedUser
        do {
            user = try await auth.login(user: form.username ?? "", password: form.password ?? "", source: context.remoteAddress, via: "cas")
        } catch let error as StewardError where error.code == .loginThrottled || error.code == .passwordCheckBusy {
            return retry(.tooManyRequests, error.message)
        } catch let error as StewardError where error.code == .unauthenticated {
            return retry(.unauthorized, LoginPage.wrongCredentials)
        }
        let tgt = try await auth.sessions.newGrant(user: user.name, role: user.role, mustChangePassword: user.mustChangePassword)
        var response = try await loggedIn(user, grant: tgt, service: service)
        response.headers.append(auth.cookie("casSessionId", "", path: "/cas", maxAge: 0))
        // The last Set-Cookie is CASTGC: clients read it from there.
        response.headers.append(auth.cookie("CASTGC", tgt))
        return response
    }

    func loggedIn(_ user: AuthenticatedUser, grant tgt: String, service: String?) async throws -> Response {
        if user.mustChangePassword {
            return Self.html(LoginPage.message(
                "Change your password", "You logged in with an initial password and must change it before you continue.",
                link: (LoginPage.changePasswordPage, "Change the password (modify_password.html)")))
        }
        guard let service else { return Self.html(LoginPage.message("Logged in", "You are logged in to Steward as \(user.name).")) }
        let st = try await auth.sessions.newServiceTicket(grant: tgt)
        var response = Response(status: .found)
        response.headers[.location] = service + (service.contains("?") ? "&" : "?") + "ticket=" + st
        return response
    }

    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        if let tgt = request.cookies["CASTGC"]?.value, let grant = try await auth.sessions.grant(tgt) {
            try await auth.sessions.endGrant(tgt)
            await auditor.record(user: grant.user, source: context.remoteAddress, action: "LOGOUT", target: "cas",
                                 result: .success, status: 200, code: .success)
        }
        var response = Self.html(LoginPage.message("Logged out", "You are logged out of Steward.", link: ("/", "Log in again")))
        response.headers.append(auth.cookie("CASTGC", "", maxAge: 0))
        response.headers.append(auth.cookie(AuthMiddleware.sessionCookie, "", maxAge: 0))
        return response
    }

    /// The service of the CAS flow: trades a service ticket for a web session.
    @Sendable func securityCheck(_ request: Request, context: Context) async throws -> Response {
        guard let st = request.uri.queryParameters.get("ticket"),
              let (grant, parent) = try await auth.sessions.consumeServiceTicket(st) else {
            throw StewardError(.unauthenticated, "The service ticket is missing, used or expired; log in again at /cas/login.")
        }
        let token = try await auth.sessions.newWebSession(user: grant.user, role: grant.role, parent: parent,
                                                mustChangePassword: grant.mustChangePassword)
        var response = Response(status: .found)
        // `next` (the web UI's own page) or, as clients expect, login_check.
        response.headers[.location] = Self.localPath(request.uri.queryParameters.get("next")) ?? "/web/v1/access/login_check"
        response.headers.append(auth.cookie(AuthMiddleware.sessionCookie, token))
        return response
    }

    /// The `service` to redirect to after login: only this manager's own URLs,
    /// so that the login page cannot be used to send users elsewhere.
    func allowedService(_ request: Request) -> String? {
        guard let service = request.uri.queryParameters.get("service"), !service.isEmpty else { return nil }
        if service.hasPrefix("/") { return Self.localPath(service) }
        // Browsers drop tabs and newlines from URLs and read "\\" as "/": none may pass.
        guard !service.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\\" }) else { return nil }
        let host = request.head.authority ?? ""
        // Under TLS an http:// service would carry the ticket over plain text.
        for scheme in auth.tls ? ["https://"] : ["http://", "https://"] where service.hasPrefix(scheme + host + "/") {
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

    /// The CAS pages carry the UI's protections: no other site may frame
    /// them (clickjacking a login form) and nothing but their own style runs.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [
            .contentType: "text/html;charset=UTF-8", .cacheControl: "no-store",
            .contentSecurityPolicy: LoginPage.contentSecurityPolicy, HTTPField.Name("X-Frame-Options")!: "DENY",
            .xContentTypeOptions: "nosniff", .referrerPolicy: "same-origin",
        ], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
