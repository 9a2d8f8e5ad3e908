import Foundation
import HTTPTypes
import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// The reference's access endpoints: who is logged in (`login_check`), log
/// out, and change one's own password.
struct AccessController {
    typealias Context = StewardRequestContext
    let auth: Authenticator
    let users: any Store
    let audit: AuditTrail
    let bodyLimit: Int

    /// `web` is `/web/v1` before authentication (`login_check` authenticates
    /// on its own); `api` is `/web/v1` behind it.
    func addRoutes(web: RouterGroup<Context>, api: RouterGroup<Context>) {
        web.get("access/login_check", use: loginCheck)
        api.group().add(middleware: audit.action("LOGOUT")).get("logout_action", use: logout)
        api.group().add(middleware: audit.action("PASSWORD_CHANGE")).post("access/modify_self_password", use: modifyPassword)
    }

    /// The caller's own web session (cookie or token), else one from the
    /// CASTGC of the CAS flow, else from HTTP Basic; answers with the web session cookie.
    @Sendable func loginCheck(_ request: Request, context: Context) async throws -> Response {
        guard let (token, session) = try await webSession(request, context) else {
            return AuthMiddleware.challenge(request, "Not logged in: log in at /cas/login first.")
        }
        let record = try await users.user(named: session.user)
        let result = LoginCheck(modifyPwd: record?.mustChangePassword ?? false, existCluster: true,
                                remindPwd: record?.mustChangePassword ?? false, refURL: "", token: token,
                                userName: session.user, role: session.role)
        var response = JSONBody.ok(topLevel: result)
        response.headers.append(auth.cookie(AuthMiddleware.sessionCookie, token))
        return response
    }

    /// A live session the caller already holds is reused: clients poll
    /// login_check, and a new session per call would grow without bound.
    func webSession(_ request: Request, _ context: Context) async throws -> (String, SessionStore.Session)? {
        for token in Self.sessionTokens(request) {
            if let s = try await auth.sessions.webSession(token) { return (token, s) }
        }
        if let tgt = request.cookies["CASTGC"]?.value, let derived = try await auth.sessions.webSession(fromGrant: tgt) {
            return derived
        }
        guard let header = request.headers[.authorization], !header.lowercased().hasPrefix("bearer ") else { return nil }
        let user = try await auth.basic(header, source: context.remoteAddress)
        let token = try await auth.sessions.newWebSession(user: user.name, role: user.role, parent: nil, mustChangePassword: user.mustChangePassword)
        guard let s = try await auth.sessions.webSession(token) else { throw StewardError(.internalError) }
        return (token, s)
    }

    /// Every session token the request carries: the cookie, `X-Auth-Token`, `Authorization: Bearer`.
    static func sessionTokens(_ request: Request) -> [String] {
        var tokens: [String] = []
        if let cookie = request.cookies[AuthMiddleware.sessionCookie]?.value, !cookie.isEmpty { tokens.append(cookie) }
        if let token = request.headers[.xAuthToken] { tokens.append(token) }
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            tokens.append(String(header.dropFirst(7)))
        }
        return tokens
    }

    /// Ends everything the request carries: its session tokens, however sent,
    /// the CAS grant (CASTGC) and the grant its session came from, so that
    /// nothing the client held logs it in again.
    @Sendable func logout(_ request: Request, context: Context) async throws -> Response {
        for token in Self.sessionTokens(request) { try await auth.sessions.endWebSession(token, withGrant: true) }
        if let tgt = request.cookies["CASTGC"]?.value { try await auth.sessions.endGrant(tgt) }
        var response = JSONBody.ok(LogoutResult(refURL: "/cas/logout"))
        response.headers.append(auth.cookie(AuthMiddleware.sessionCookie, "", maxAge: 0))
        response.headers.append(auth.cookie("CASTGC", "", maxAge: 0))
        return response
    }

    /// From the query string (as the reference) or a JSON body.
    @Sendable func modifyPassword(_ request: Request, context: Context) async throws -> Response {
        guard let user = context.user else { throw StewardError(.unauthenticated) }
        var change = try await JSONBody.decode(PasswordChange.self, from: request, limit: bodyLimit)
        let query = request.uri.queryParameters
        change.oldPassword = change.oldPassword ?? query.get("old_password")
        change.newPassword = change.newPassword ?? query.get("new_password")
        change.confirmPassword = change.confirmPassword ?? query.get("confirm_password")
        guard let old = change.oldPassword, let new = change.newPassword, let confirm = change.confirmPassword else {
            throw StewardError(.invalidParameter, "old_password, new_password and confirm_password are required.")
        }
        guard new == confirm else { throw StewardError(.passwordRejected, "new_password and confirm_password differ.") }
        guard let record = try await users.user(named: user.name) else { throw StewardError(.userNotFound) }
        // Counted like a login: a stolen session must not become a free password-guessing oracle.
        try await auth.verifyOwnPassword(old, of: record, source: context.remoteAddress)
        if let problem = PasswordChange.policyProblem(user: user.name, old: old, new: new) {
            throw StewardError(.passwordRejected, problem)
        }
        let hash = try await auth.pool.hash(new, rounds: auth.hashRounds)
        _ = try await users.updateUser(user.name, passwordHash: hash, role: nil, mustChangePassword: false)
        try await auth.forget(user: user.name)
        return JSONBody.ok(topLevel: PasswordChangeResult(code: 0, description: "The password was changed; log in again with it."))
    }
}
