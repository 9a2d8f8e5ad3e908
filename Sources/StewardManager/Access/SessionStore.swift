import Crypto
import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// CAS tickets and web sessions, in memory: login tickets (LT, one use, bound
/// to the casSessionId that fetched them), ticket-granting tickets (TGT, the
/// CASTGC cookie), service tickets (ST, one use, short) and web sessions
/// (the JSESSIONID cookie, also usable as a token). Every secret is looked up
/// by its SHA-256 digest, never compared as text; a login ticket is not stored
/// at all but signed (see `newLoginTicket`). Sessions end at their idle
/// timeout, at their maximum age, at logout, and when their user's password or
/// role changes. A manager restart ends them all: clients log in again.
///
/// Nothing here grows without bound: `sweep` (on a timer) drops what has
/// expired, and each table has caps, per user and in all, past which the
/// least recently used entry is evicted, so that a flood of logins costs the
/// flooder its own older sessions, not the manager its memory.
final class SessionStore: Sendable {
    struct Session: Sendable {
        let user: String
        let role: UserRole
        let created: Millis
        var lastSeen: Millis
        /// The TGT a web session came from, so that a CAS logout ends it too.
        let parent: CredentialCache.Key?
        /// Logged in with an initial password: may only change it.
        let mustChangePassword: Bool
    }

    struct Limits: Sendable {
        /// Web sessions (and, separately, CAS grants) per user.
        var perUser: Int = 64
        /// Entries of each table (web sessions, grants, used login tickets, service tickets).
        var total: Int = 10_000
    }

    /// A login ticket already used, remembered until it expires.
    private struct Ticket {
        let expires: Millis
    }

    private struct ServiceTicket {
        let tgt: CredentialCache.Key
        let expires: Millis
    }

    private struct State: Sendable {
        var loginTickets: BoundedTable<Ticket>
        var serviceTickets: BoundedTable<ServiceTicket>
        var grants: BoundedTable<Session>
        var web: BoundedTable<Session>
    }

    /// How long a login ticket and a service ticket stay valid.
    static let loginTicketMs: Millis = 600_000
    static let serviceTicketMs: Millis = 60_000

    private let state: NIOLockedValueBox<State>
    /// Signs login tickets and derives the web session of a CAS grant (see
    /// `webSession(fromGrant:)`); per process, like the sessions.
    private let derivation: [UInt8] = {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }()
    let idleMs: Millis
    let maxAgeMs: Millis
    let clock: any TimeSource

    init(idleSeconds: Int, maxAgeSeconds: Int, limits: Limits = Limits(), clock: any TimeSource) {
        idleMs = Millis(idleSeconds) * 1000
        maxAgeMs = Millis(maxAgeSeconds) * 1000
        self.clock = clock
        state = NIOLockedValueBox(State(
            loginTickets: BoundedTable(perOwner: limits.total, total: limits.total),
            serviceTickets: BoundedTable(perOwner: limits.total, total: limits.total),
            grants: BoundedTable(perOwner: limits.perUser, total: limits.total),
            web: BoundedTable(perOwner: limits.perUser, total: limits.total)))
    }

    static func token(_ prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        return prefix + base64url(Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }))
    }

    /// How many of each there are now: for `/metrics` and tests.
    var counts: (webSessions: Int, grants: Int, loginTickets: Int, serviceTickets: Int) {
        state.withLockedValue { ($0.web.count, $0.grants.count, $0.loginTickets.count, $0.serviceTickets.count) }
    }

    /// Drops every expired session, grant and ticket. Run on a timer: lookups
    /// drop what they find expired, but what nobody looks up again stays until here.
    func sweep() {
        let now = clock.now()
        state.withLockedValue { s in
            s.loginTickets.removeAll { $0.expires <= now }
            s.serviceTickets.removeAll { $0.expires <= now }
            s.grants.removeAll { self.expired($0, now) }
            s.web.removeAll { self.expired($0, now) }
        }
    }

    private func expired(_ session: Session, _ now: Millis) -> Bool {
        now - session.lastSeen > idleMs || now - session.created > maxAgeMs
    }

    // MARK: CAS tickets

    /// A login ticket for a casSessionId. Nothing is stored: the ticket carries
    /// its expiry and a nonce, signed (HMAC) together with the casSessionId, so
    /// a flood of login pages costs no memory. Only used tickets are kept, until
    /// they expire, so that each logs in once.
    func newLoginTicket(casSession: String) -> String {
        let expires = clock.now() + Self.loginTicketMs
        let nonce = Self.token("")
        return "LT-\(expires)-\(nonce)-\(signature(casSession, expires, nonce))"
    }

    /// True once for a live ticket issued with the same, non-empty casSessionId.
    func consumeLoginTicket(_ lt: String, casSession: String) -> Bool {
        let parts = lt.split(separator: "-", maxSplits: 2)
        guard !casSession.isEmpty, parts.count == 3, parts[0] == "LT", let expires = Millis(parts[1]) else { return false }
        // The nonce and the signature are base64url (which has "-" too), and the signature's length is fixed.
        let rest = parts[2]
        guard rest.count > Self.signatureLength + 1 else { return false }
        let nonce = String(rest.dropLast(Self.signatureLength + 1))
        let mac = String(rest.suffix(Self.signatureLength))
        guard expires > clock.now(), Self.constantTimeEqual(mac, signature(casSession, expires, nonce)) else { return false }
        let key = CredentialCache.key(lt)
        return state.withLockedValue { s in
            guard s.loginTickets[key] == nil else { return false }
            s.loginTickets.insert(key, Ticket(expires: expires), owner: nil)
            return true
        }
    }

    static let signatureLength = 43

    private func signature(_ casSession: String, _ expires: Millis, _ nonce: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("lt|\(casSession)|\(expires)|\(nonce)".utf8),
                                                  using: SymmetricKey(data: derivation))
        return Self.base64url(Data(mac))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func newGrant(user: String, role: UserRole, mustChangePassword: Bool = false) -> String {
        let tgt = Self.token("TGT-")
        let now = clock.now()
        state.withLockedValue { s in
            s.grants.insert(CredentialCache.key(tgt), Session(user: user, role: role, created: now, lastSeen: now, parent: nil,
                                                              mustChangePassword: mustChangePassword), owner: user)
        }
        return tgt
    }

    func grant(_ tgt: String) -> Session? { live(CredentialCache.key(tgt), in: \.grants) }

    func newServiceTicket(grant tgt: String) -> String {
        let st = Self.token("ST-")
        let expires = clock.now() + Self.serviceTicketMs
        state.withLockedValue { s in
            s.serviceTickets.insert(CredentialCache.key(st), ServiceTicket(tgt: CredentialCache.key(tgt), expires: expires), owner: nil)
        }
        return st
    }

    /// The grant behind a service ticket, once.
    func consumeServiceTicket(_ st: String) -> (Session, CredentialCache.Key)? {
        let key = CredentialCache.key(st)
        guard let ticket = state.withLockedValue({ $0.serviceTickets.remove(key) }),
              ticket.expires > clock.now(), let session = live(ticket.tgt, in: \.grants) else { return nil }
        return (session, ticket.tgt)
    }

    // MARK: web sessions

    func newWebSession(user: String, role: UserRole, parent: CredentialCache.Key?, mustChangePassword: Bool = false) -> String {
        let token = Self.token("")
        insertWebSession(token, user: user, role: role, parent: parent, mustChangePassword: mustChangePassword)
        return token
    }

    /// The web session of a CAS grant: always the same token for the same
    /// grant (an HMAC of it under a per-process key), so that a client calling
    /// login_check with its CASTGC again and again holds one session, not one per call.
    func webSession(fromGrant tgt: String) -> (String, Session)? {
        guard let grant = grant(tgt) else { return nil }
        let token = Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data("web|\(tgt)".utf8), using: SymmetricKey(data: derivation))))
        if let live = webSession(token) { return (token, live) }
        insertWebSession(token, user: grant.user, role: grant.role, parent: CredentialCache.key(tgt),
                         mustChangePassword: grant.mustChangePassword)
        guard let session = webSession(token) else { return nil }
        return (token, session)
    }

    private func insertWebSession(_ token: String, user: String, role: UserRole, parent: CredentialCache.Key?, mustChangePassword: Bool) {
        let now = clock.now()
        state.withLockedValue { s in
            s.web.insert(CredentialCache.key(token), Session(user: user, role: role, created: now, lastSeen: now, parent: parent,
                                                             mustChangePassword: mustChangePassword), owner: user)
        }
    }

    func webSession(_ token: String) -> Session? { live(CredentialCache.key(token), in: \.web) }

    /// Ends a web session and, `withGrant`, the CAS grant it came from with all its sessions.
    func endWebSession(_ token: String, withGrant: Bool = false) {
        state.withLockedValue { s in
            guard let session = s.web.remove(CredentialCache.key(token)) else { return }
            if withGrant, let parent = session.parent { Self.end(grant: parent, in: &s) }
        }
    }

    /// Ends a TGT and every web session that came from it.
    func endGrant(_ tgt: String) {
        state.withLockedValue { Self.end(grant: CredentialCache.key(tgt), in: &$0) }
    }

    private static func end(grant key: CredentialCache.Key, in s: inout State) {
        s.grants.remove(key)
        s.web.removeAll { $0.parent == key }
    }

    func endUser(_ name: String) {
        state.withLockedValue { s in
            s.grants.removeAll { $0.user == name }
            s.web.removeAll { $0.user == name }
        }
    }

    private func live(_ key: CredentialCache.Key, in table: WritableKeyPath<State, BoundedTable<Session>>) -> Session? {
        let now = clock.now()
        return state.withLockedValue { s in
            guard var session = s[keyPath: table][key] else { return nil }
            if expired(session, now) {
                s[keyPath: table].remove(key)
                return nil
            }
            session.lastSeen = now
            s[keyPath: table][key] = session
            s[keyPath: table].touch(key)
            return session
        }
    }
}
