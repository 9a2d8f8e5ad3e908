import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOPosix
import StewardAPI
import StewardEngine
import StewardStore

/// Checks who a request or a login is, in one place for every way of
/// authenticating (HTTP Basic, CAS form, session cookie, token), with the
/// credential cache, the login throttle and the audit of every login.
struct Authenticator: Sendable {
    let store: any Store
    let cache: CredentialCache
    let sessions: SessionStore
    let throttle: LoginThrottle
    let auditor: Auditor
    let decoyHash: String
    let tls: Bool

    /// Verifies a password login; audits it, success or failure.
    func login(user name: String, password: String, source: String, via: String) async throws -> AuthenticatedUser {
        if let seconds = throttle.wait(user: name, address: source) {
            await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .failure,
                                 status: 429, code: .loginThrottled)
            throw StewardError(.loginThrottled, "Too many failed logins for '\(name.prefix(64))' or from \(source); try again in \(seconds) s.")
        }
        let record = try await store.user(named: name)
        let hash = record?.passwordHash ?? decoyHash
        // The slow hash runs even for unknown users, so that timing does not tell which names exist.
        let valid = try await NIOThreadPool.singleton.runIfActive { PasswordHasher.verify(password, against: hash) }
        guard valid, let record else {
            throttle.failed(user: name, address: source)
            await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .failure,
                                 status: 401, code: .unauthenticated)
            throw StewardError(.unauthenticated, "The user name or password is wrong.")
        }
        throttle.succeeded(user: name)
        await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .success, status: 200, code: .success)
        return AuthenticatedUser(name: record.name, role: record.role, mustChangePassword: record.mustChangePassword)
    }

    /// HTTP Basic, with the credential cache in front of the slow path.
    func basic(_ header: String, source: String) async throws -> AuthenticatedUser {
        let key = CredentialCache.key(header)
        if let user = cache.lookup(key) { return user }
        guard let (name, password) = Self.parseBasic(header) else {
            throw StewardError(.unauthenticated, "The Authorization header must be HTTP Basic credentials.")
        }
        let user = try await login(user: name, password: password, source: source, via: "basic")
        cache.store(key, user: user)
        return user
    }

    func session(_ token: String) -> AuthenticatedUser? {
        sessions.webSession(token).map { AuthenticatedUser(name: $0.user, role: $0.role, mustChangePassword: $0.mustChangePassword) }
    }

    /// Forgets everything cached about a user: after a password or role change, or removal.
    func forget(user: String) {
        cache.forget(user: user)
        sessions.endUser(user)
    }

    static func parseBasic(_ header: String) -> (String, String)? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// A cookie with the hygiene the issue asks for: HttpOnly, SameSite, Secure under TLS.
    /// Written by hand rather than with Hummingbird's `Cookie`, whose attributes
    /// come out in a different order in each process: clients of the reference
    /// read `CASTGC=TGT-…; Path=/` as it stands.
    func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int? = nil) -> HTTPField {
        var parts = ["\(name)=\(value)", "Path=\(path)", "HttpOnly", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if tls { parts.append("Secure") }
        return HTTPField(name: .setCookie, value: parts.joined(separator: "; "))
    }
}
