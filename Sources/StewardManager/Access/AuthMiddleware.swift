import HTTPTypes
import Hummingbird
import StewardAPI
import StewardEngine

/// Authenticates every `/web/v1` request by, in order: HTTP Basic; a session
/// token (`Authorization: Bearer` or `X-Auth-Token`); the web session cookie.
///
/// Cookie-authenticated changes must look like the manager's own clients:
/// a JSON content type (which no cross-site form can send without a CORS
/// preflight, which Steward never grants) and, when the browser says where the
/// request comes from (`Origin`, `Sec-Fetch-Site`), the manager's own origin.
/// The documented Java client passes: it sends JSON and no Origin.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    static let sessionCookie = "JSESSIONID"
    let auth: Authenticator

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            if header.lowercased().hasPrefix("bearer ") {
                guard let user = try await auth.session(String(header.dropFirst(7))) else { return Self.challenge(request, "The session token is unknown or expired.") }
                context.user = user
            } else {
                do {
                    context.user = try await auth.basic(header, source: context.remoteAddress)
                } catch let error as StewardError where error.code == .unauthenticated {
                    return Self.challenge(request, error.message)
                }
            }
        } else if let token = request.headers[.xAuthToken] {
            guard let user = try await auth.session(token) else { return Self.challenge(request, "The session token is unknown or expired.") }
            context.user = user
        } else if let token = request.cookies[Self.sessionCookie]?.value {
            guard let user = try await auth.session(token) else { return Self.challenge(request, "The session has ended; log in again.") }
            if let refusal = Self.crossSiteRefusal(request) { throw refusal }
            context.user = user
        } else {
            return Self.challenge(request, "Credentials are required: HTTP Basic, a session token, or a session cookie from /cas/login.")
        }
        return try await next(request, context)
    }

    static func crossSiteRefusal(_ request: Request) -> StewardError? {
        guard ![.get, .head, .options].contains(request.method) else { return nil }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            return StewardError(.crossSiteRequest, "A change made with a session cookie must be sent as application/json.")
        }
        if let site = request.headers[.secFetchSite], !["same-origin", "none"].contains(site) {
            return StewardError(.crossSiteRequest, "Cross-site request refused (Sec-Fetch-Site: \(site.prefix(32))).")
        }
        if let origin = request.headers[.origin], let host = request.head.authority {
            let originHost = origin.split(separator: "/").dropFirst().first.map(String.init) ?? ""
            if originHost != host {
                return StewardError(.crossSiteRequest, "Cross-site request refused: origin \(origin.prefix(64)) is not \(host.prefix(64)).")
            }
        }
        return nil
    }

    /// A 401 with a Basic challenge, except to a browser's requests: the web
    /// UI's own (`X-Requested-With`), its event streams (which cannot set
    /// headers) and anything with the session cookie. A browser would pop up
    /// its own password prompt instead of the UI sending the user to the CAS login.
    static func challenge(_ request: Request, _ message: String) -> Response {
        var response = JSONBody.failure(StewardError(.unauthenticated, message))
        let browser = request.headers[.xRequestedWith] != nil
            || request.headers[.accept]?.contains("text/event-stream") == true
            || request.cookies[sessionCookie]?.value != nil
        if !browser {
            response.headers[.wwwAuthenticate] = "Basic realm=\"steward\", charset=\"UTF-8\""
        }
        return response
    }
}

/// Refuses a request whose user's role is below `role` (403).
struct RoleMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let role: UserRole

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let user = context.user, user.role.allows(role) else {
            throw StewardError(.forbidden, "This needs the \(role.rawValue) role; user '\(context.user?.name ?? "")' is \(context.user?.role.rawValue ?? "nobody").")
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xAuthToken = Self("X-Auth-Token")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let origin = Self("Origin")!
    static let commandId = Self("X-Steward-Command-Id")!
    static let errorCode = Self("X-Steward-Error-Code")!
    static let progressVersion = Self("X-Progress-Version")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xRequestedWith = Self("X-Requested-With")!
}
