import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StewardAPI
import StewardEngine
import StewardStore

/// Checks who a request or a login is, in one place for every way of
/// authenticating (HTTP Basic, CAS form, session cookie, token), with the
/// credential cache, the login throttle, the hash pool and the audit of every login.
struct Authenticator: Sendable {
    let store: any Store
    let cache: CredentialCache
    let sessions: SessionStore
    let throttle: LoginThrottle
    let pool: HashPool
    let auditor: Auditor
    /// Where a change to a user is told to every manager.
    let notices: any NoticeBoard
    let decoyHash: String
    /// Rounds of new hashes; a stored hash with fewer is replaced at its next successful login.
    let hashRounds: Int
    let tls: Bool
    /// Concurrent misses of the same credentials from one address wait for one check.
    let shared = SharedChecks()

    /// Verifies a password login; audits it, success or failure.
    func login(user name: String, password: String, source: String, via: String) async throws -> AuthenticatedUser {
        try await check(user: name, password: password, source: source, via: via).user
    }

    /// HTTP Basic, with the credential cache in front of the slow path.
    func basic(_ header: String, source: String) async throws -> AuthenticatedUser {
        guard let (name, password) = Self.parseBasic(header) else {
            throw StewardError(.unauthenticated, "The Authorization header must be HTTP Basic credentials.")
        }
        let key = CredentialCache.key(user: name, password: password)
        if let user = cache.lookup(key) { return user }
        return try await shared.run(.init(credential: key, source: source)) {
            let (user, generation) = try await check(user: name, password: password, source: source, via: "basic")
            cache.store(key, user: user, generation: generation)
            return user
        }
    }

    /// The slow path: reserve a try in the throttle (so that concurrent
    /// guesses are counted before any hash runs), then verify in the hash
    /// pool. Returns the user's generation as read before the check: the
    /// result is valid only while it is unchanged.
    private func check(user name: String, password: String, source: String, via: String) async throws -> (user: AuthenticatedUser, generation: Int) {
        let attempt: LoginThrottle.Attempt
        switch try await throttle.reserve(user: name, source: source) {
        case .wait(let seconds, let first):
            if first {
                await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .failure,
                                     status: 429, code: .loginThrottled)
            }
            throw Self.throttled(name, source, seconds)
        case .go(let granted): attempt = granted
        }
        let generation = cache.generation(of: name)
        let record: UserRecord?
        let valid: Bool, upgraded: String?
        do {
            record = try await store.user(named: name)
            // The slow hash runs even for unknown users, so that timing does not tell which names exist.
            (valid, upgraded) = try await pool.verify(password, against: record?.passwordHash ?? decoyHash,
                                                      upgradeTo: record == nil ? nil : hashRounds, first: attempt.clean)
        } catch {
            try? await throttle.cancel(attempt)
            throw error
        }
        guard valid, let record else {
            // The reservation stays: it was this failure.
            await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .failure,
                                 status: 401, code: .unauthenticated)
            throw StewardError(.unauthenticated, "The user name or password is wrong.")
        }
        guard cache.generation(of: name) == generation else {
            // Its password, role or existence changed while the hash ran: what was read is stale.
            try? await throttle.cancel(attempt)
            throw StewardError(.unauthenticated, "The user changed while the password was checked; log in again.")
        }
        // Not being able to clear the count is no reason to refuse the right password.
        try? await throttle.succeeded(attempt)
        if let upgraded {
            // Only over the hash just verified: a change made meanwhile wins.
            _ = try? await store.replacePasswordHash(name, from: record.passwordHash, to: upgraded)
        }
        await auditor.record(user: name, source: source, action: "LOGIN", target: via, result: .success, status: 200, code: .success)
        return (AuthenticatedUser(name: record.name, role: record.role, mustChangePassword: record.mustChangePassword), generation)
    }

    /// Checks a logged-in user's own password again (to change it), throttled
    /// like a login from `source`: a wrong one counts as a failed login.
    func verifyOwnPassword(_ password: String, of record: UserRecord, source: String) async throws {
        let attempt: LoginThrottle.Attempt
        switch try await throttle.reserve(user: record.name, source: source) {
        case .wait(let seconds, _): throw Self.throttled(record.name, source, seconds)
        case .go(let granted): attempt = granted
        }
        let valid: Bool
        do {
            valid = try await pool.verify(password, against: record.passwordHash, first: attempt.clean).valid
        } catch {
            try? await throttle.cancel(attempt)
            throw error
        }
        guard valid else { throw StewardError(.passwordRejected, "The old password is wrong.") }
        try? await throttle.succeeded(attempt)
    }

    static func throttled(_ name: String, _ source: String, _ seconds: Int) -> StewardError {
        StewardError(.loginThrottled, "Too many failed logins for '\(name.prefix(64))' from \(source); try again in \(seconds) s.")
    }

    func session(_ token: String) async throws -> AuthenticatedUser? {
        try await sessions.webSession(token).map { AuthenticatedUser(name: $0.user, role: $0.role, mustChangePassword: $0.mustChangePassword) }
    }

    /// After a password or role change, or removal, stored already: ends the
    /// user's sessions and returns once every manager has dropped what it
    /// cached of the user, so that the next request, on any manager, sees the change.
    func forget(user: String) async throws {
        dropCached(user: user)
        try await sessions.endUser(user)
        await notices.announceAndWait(.user(user))
    }

    /// A `.user` notice: this manager's cached credentials and sessions of the user go.
    func dropCached(user: String) {
        cache.forget(user: user)
        sessions.dropCached(user: user)
    }

    /// User and password of a Basic header, however it is spelled: the scheme
    /// in any case, any spaces or tabs around and between the parts.
    static func parseBasic(_ header: String) -> (String, String)? {
        let parts = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let data = Data(base64Encoded: String(parts[1])),
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
