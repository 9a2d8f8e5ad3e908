import Crypto
import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine
import StewardStore

/// CAS tickets and web sessions: login tickets (LT, one use, bound
/// to the casSessionId that fetched them), ticket-granting tickets (TGT, the
/// CASTGC cookie), service tickets (ST, one use, short) and web sessions
/// (the JSESSIONID cookie, also usable as a token). Every secret is looked up
/// by its SHA-256 digest, never compared as text; a login ticket is not stored
/// at all but signed (see `newLoginTicket`). Sessions end at their idle
/// timeout, at their maximum age, at logout, and when their user's password or
/// role changes.
///
/// With a `Shared` store (every manager has one) the store holds them, by
/// the digest of their token, and this is its cache: a session in the cache
/// is answered without a round trip, one not in it is read from the store
/// (made on another manager, or before a restart) and cached. Every manager
/// drops its cached copies when told by a notice (`.sessionEnded`, `.user`);
/// a use is written back at most every `touchEveryMs`, so that the idle
/// timeout counts uses on every manager. Without one (unit tests) the tables
/// below are the only copy.
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
        /// The last use written to the shared store.
        var storedSeen: Millis = 0
    }

    /// The store every manager shares, and the board that tells them of ends.
    struct Shared: Sendable {
        let store: SQLStore
        let notices: any NoticeBoard
    }

    struct Limits: Sendable {
        /// Web sessions (and, separately, CAS grants) per user.
        var perUser: Int = 64
        /// Entries of each table (web sessions, grants, used login tickets, service tickets).
        var total: Int = 10_000
    }

    /// A login ticket already used, remembered until it expires.
    struct Ticket {
        let expires: Millis
    }

    struct ServiceTicket {
        let tgt: CredentialCache.Key
        let expires: Millis
    }

    struct State: Sendable {
        var loginTickets: BoundedTable<Ticket>
        var serviceTickets: BoundedTable<ServiceTicket>
        var grants: BoundedTable<Session>
        var web: BoundedTable<Session>
        /// Raised at each drop told by a notice: a store read that began
        /// before one does not put what it read in the cache.
        var drops: UInt64 = 0
    }

    /// How long a login ticket and a service ticket stay valid.
    static let loginTicketMs: Millis = 600_000
    static let serviceTicketMs: Millis = 60_000

    let state: NIOLockedValueBox<State>
    /// Signs login tickets and derives the web session of a CAS grant (see
    /// `webSession(fromGrant:)`): with a shared store, derived from the
    /// sealing key every manager shares, so that a ticket from one is good on
    /// another; else per process.
    private let derivation: [UInt8]
    let idleMs: Millis
    let maxAgeMs: Millis
    let clock: any TimeSource
    let limits: Limits
    let shared: Shared?
    /// How stale the stored last use of a session may be: well within the idle timeout.
    let touchEveryMs: Millis

    init(idleSeconds: Int, maxAgeSeconds: Int, limits: Limits = Limits(), clock: any TimeSource, shared: Shared? = nil) {
        idleMs = Millis(idleSeconds) * 1000
        maxAgeMs = Millis(maxAgeSeconds) * 1000
        self.clock = clock
        self.limits = limits
        self.shared = shared
        touchEveryMs = max(1, min(idleMs / 4, 60_000))
        if let shared {
            derivation = shared.store.sealer.derivedKey(purpose: "sessions")
        } else {
            var rng = SystemRandomNumberGenerator()
            derivation = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
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

    /// Drops every expired session, grant and ticket, here and in the shared
    /// store. Run on a timer: lookups drop what they find expired, but what
    /// nobody looks up again stays until here.
    func sweep() async throws {
        let now = clock.now()
        state.withLockedValue { s in
            s.loginTickets.removeAll { $0.expires <= now }
            s.serviceTickets.removeAll { $0.expires <= now }
            s.grants.removeAll { self.expired($0, now) }
            s.web.removeAll { self.expired($0, now) }
        }
        if let shared { _ = try await shared.store.sweepSessions(now: now, idleBefore: now - idleMs) }
    }

    func expired(_ session: Session, _ now: Millis) -> Bool {
        now - session.lastSeen > idleMs || now - session.created > maxAgeMs
    }

    // MARK: CAS tickets

    /// A login ticket for a casSessionId. Nothing is stored: the ticket carries
    /// its expiry and a nonce, signed (HMAC) together with the casSessionId, so
    /// a flood of login pages costs no memory. Only used tickets are kept, until
    /// they expire, so that each logs in once (on whichever manager).
    func newLoginTicket(casSession: String) -> String {
        let expires = clock.now() + Self.loginTicketMs
        let nonce = Self.token("")
        return "LT-\(expires)-\(nonce)-\(signature(casSession, expires, nonce))"
    }

    /// True once for a live ticket issued with the same, non-empty casSessionId.
    func consumeLoginTicket(_ lt: String, casSession: String) async throws -> Bool {
        let parts = lt.split(separator: "-", maxSplits: 2)
        guard !casSession.isEmpty, parts.count == 3, parts[0] == "LT", let expires = Millis(parts[1]) else { return false }
        // The nonce and the signature are base64url (which has "-" too), and the signature's length is fixed.
        let rest = parts[2]
        guard rest.count > Self.signatureLength + 1 else { return false }
        let nonce = String(rest.dropLast(Self.signatureLength + 1))
        let mac = String(rest.suffix(Self.signatureLength))
        guard expires > clock.now(), Self.constantTimeEqual(mac, signature(casSession, expires, nonce)) else { return false }
        let key = CredentialCache.key(lt)
        guard state.withLockedValue({ $0.loginTickets[key] == nil }) else { return false }
        if let shared {
            let now = clock.now()
            let used = StoredSession(digest: key.hex, kind: .loginTicket, user: "", role: .viewer, mustChangePassword: false,
                                     parent: nil, createdAt: now, lastSeen: now, expiresAt: expires)
            guard try await shared.store.insertSessionOnce(used, total: limits.total) else { return false }
        }
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

    func newGrant(user: String, role: UserRole, mustChangePassword: Bool = false) async throws -> String {
        let tgt = Self.token("TGT-")
        try await insert(CredentialCache.key(tgt), kind: .grant, user: user, role: role, parent: nil, mustChangePassword: mustChangePassword)
        return tgt
    }

    func grant(_ tgt: String) async throws -> Session? { try await live(CredentialCache.key(tgt), in: \.grants, kind: .grant) }

    func newServiceTicket(grant tgt: String) async throws -> String {
        let st = Self.token("ST-")
        let key = CredentialCache.key(st), parent = CredentialCache.key(tgt)
        let now = clock.now()
        let expires = now + Self.serviceTicketMs
        if let shared {
            let ticket = StoredSession(digest: key.hex, kind: .service, user: "", role: .viewer, mustChangePassword: false,
                                       parent: parent.hex, createdAt: now, lastSeen: now, expiresAt: expires)
            _ = try await shared.store.insertSession(ticket, perUser: nil, total: limits.total)
        }
        state.withLockedValue { s in
            s.serviceTickets.insert(key, ServiceTicket(tgt: parent, expires: expires), owner: nil)
        }
        return st
    }

    /// The grant behind a service ticket, once (on whichever manager).
    func consumeServiceTicket(_ st: String) async throws -> (Session, CredentialCache.Key)? {
        let key = CredentialCache.key(st)
        var ticket = state.withLockedValue { $0.serviceTickets.remove(key) }
        if let shared {
            // The store's delete decides which manager uses it.
            guard let taken = try await shared.store.takeSession(digest: key.hex),
                  let parent = taken.parent.flatMap(CredentialCache.Key.init(hex:)) else { return nil }
            ticket = ServiceTicket(tgt: parent, expires: taken.expiresAt)
        }
        guard let ticket, ticket.expires > clock.now(), let session = try await live(ticket.tgt, in: \.grants, kind: .grant) else {
            return nil
        }
        return (session, ticket.tgt)
    }

    // MARK: web sessions

    func newWebSession(user: String, role: UserRole, parent: CredentialCache.Key?, mustChangePassword: Bool = false) async throws -> String {
        let token = Self.token("")
        try await insert(CredentialCache.key(token), kind: .web, user: user, role: role, parent: parent, mustChangePassword: mustChangePassword)
        return token
    }

    /// The web session of a CAS grant: always the same token for the same
    /// grant (an HMAC of it under the sessions' key), so that a client calling
    /// login_check with its CASTGC again and again, on any manager, holds one session, not one per call.
    func webSession(fromGrant tgt: String) async throws -> (String, Session)? {
        guard let grant = try await grant(tgt) else { return nil }
        let token = Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data("web|\(tgt)".utf8), using: SymmetricKey(data: derivation))))
        if let live = try await webSession(token) { return (token, live) }
        try await insert(CredentialCache.key(token), kind: .web, user: grant.user, role: grant.role, parent: CredentialCache.key(tgt),
                         mustChangePassword: grant.mustChangePassword)
        guard let session = try await webSession(token) else { return nil }
        return (token, session)
    }

    func webSession(_ token: String) async throws -> Session? { try await live(CredentialCache.key(token), in: \.web, kind: .web) }

    /// Ends a web session and, `withGrant`, the CAS grant it came from with all
    /// its sessions; every manager has dropped them when this returns.
    func endWebSession(_ token: String, withGrant: Bool = false) async throws {
        let key = CredentialCache.key(token)
        var parent = state.withLockedValue { s in s.web.remove(key)?.parent }
        if let shared {
            if let taken = try await shared.store.takeSession(digest: key.hex) {
                parent = parent ?? taken.parent.flatMap(CredentialCache.Key.init(hex:))
            }
            await shared.notices.announceAndWait(.sessionEnded(key.hex))
        }
        if withGrant, let parent { try await end(grant: parent) }
    }

    /// Ends a TGT and every web session that came from it.
    func endGrant(_ tgt: String) async throws {
        try await end(grant: CredentialCache.key(tgt))
    }

    private func end(grant key: CredentialCache.Key) async throws {
        state.withLockedValue { Self.dropGrant(key, in: &$0) }
        if let shared {
            _ = try await shared.store.deleteGrant(digest: key.hex)
            // Each manager drops the grant and the sessions made from it.
            await shared.notices.announceAndWait(.sessionEnded(key.hex))
        }
    }

    /// Ends every session and grant of a user, here and in the store; the
    /// caller tells the other managers (`.user`), with the change that ended them.
    func endUser(_ name: String) async throws {
        dropCached(user: name)
        try await shared?.store.deleteSessions(user: name)
    }
}
