import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// CAS tickets and web sessions, in memory: login tickets (LT, one use, bound
/// to the casSessionId that fetched them), ticket-granting tickets (TGT, the
/// CASTGC cookie), service tickets (ST, one use, short) and web sessions
/// (the JSESSIONID cookie, also usable as a token). Every secret is looked up
/// by its SHA-256 digest, never compared as text. Sessions end at their idle
/// timeout, at their maximum age, at logout, and when their user's password or
/// role changes. A manager restart ends them all: clients log in again.
final class SessionStore: Sendable {
    struct Session: Sendable {
        let user: String
        let role: UserRole
        let created: Millis
        var lastSeen: Millis
        /// The TGT a web session came from, so that a CAS logout ends it too.
        let parent: CredentialCache.Key?
    }

    private struct State {
        var loginTickets: [CredentialCache.Key: (casSession: String, expires: Millis)] = [:]
        var serviceTickets: [CredentialCache.Key: (tgt: CredentialCache.Key, expires: Millis)] = [:]
        var grants: [CredentialCache.Key: Session] = [:]
        var web: [CredentialCache.Key: Session] = [:]
    }

    private let state = NIOLockedValueBox(State())
    let idleMs: Millis
    let maxAgeMs: Millis
    let clock: any TimeSource

    init(idleSeconds: Int, maxAgeSeconds: Int, clock: any TimeSource) {
        idleMs = Millis(idleSeconds) * 1000
        maxAgeMs = Millis(maxAgeSeconds) * 1000
        self.clock = clock
    }

    static func token(_ prefix: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + text
    }

    // MARK: CAS tickets

    func newLoginTicket(casSession: String) -> String {
        let lt = Self.token("LT-")
        let now = clock.now()
        state.withLockedValue { s in
            s.loginTickets = s.loginTickets.filter { $0.value.expires > now }
            s.loginTickets[CredentialCache.key(lt)] = (casSession, now + 600_000)
        }
        return lt
    }

    /// True once for a live ticket fetched with the same casSessionId.
    func consumeLoginTicket(_ lt: String, casSession: String) -> Bool {
        let key = CredentialCache.key(lt)
        return state.withLockedValue { s in
            guard let t = s.loginTickets.removeValue(forKey: key) else { return false }
            return t.expires > clock.now() && t.casSession == casSession
        }
    }

    func newGrant(user: String, role: UserRole) -> String {
        let tgt = Self.token("TGT-")
        let now = clock.now()
        state.withLockedValue { s in
            s.grants[CredentialCache.key(tgt)] = Session(user: user, role: role, created: now, lastSeen: now, parent: nil)
        }
        return tgt
    }

    func grant(_ tgt: String) -> Session? { live(CredentialCache.key(tgt), in: \.grants) }

    func newServiceTicket(grant tgt: String) -> String {
        let st = Self.token("ST-")
        state.withLockedValue { s in
            s.serviceTickets[CredentialCache.key(st)] = (CredentialCache.key(tgt), clock.now() + 60_000)
        }
        return st
    }

    /// The grant behind a service ticket, once.
    func consumeServiceTicket(_ st: String) -> (Session, CredentialCache.Key)? {
        let key = CredentialCache.key(st)
        guard let ticket = state.withLockedValue({ $0.serviceTickets.removeValue(forKey: key) }),
              ticket.expires > clock.now(), let session = live(ticket.tgt, in: \.grants) else { return nil }
        return (session, ticket.tgt)
    }

    // MARK: web sessions

    func newWebSession(user: String, role: UserRole, parent: CredentialCache.Key?) -> String {
        let token = Self.token("")
        let now = clock.now()
        state.withLockedValue { s in
            s.web[CredentialCache.key(token)] = Session(user: user, role: role, created: now, lastSeen: now, parent: parent)
        }
        return token
    }

    func webSession(_ token: String) -> Session? { live(CredentialCache.key(token), in: \.web) }

    func endWebSession(_ token: String) { state.withLockedValue { _ = $0.web.removeValue(forKey: CredentialCache.key(token)) } }

    /// Ends a TGT and every web session that came from it.
    func endGrant(_ tgt: String) {
        let key = CredentialCache.key(tgt)
        state.withLockedValue { s in
            s.grants[key] = nil
            s.web = s.web.filter { $0.value.parent != key }
        }
    }

    func endUser(_ name: String) {
        state.withLockedValue { s in
            s.grants = s.grants.filter { $0.value.user != name }
            s.web = s.web.filter { $0.value.user != name }
        }
    }

    private func live(_ key: CredentialCache.Key, in table: WritableKeyPath<State, [CredentialCache.Key: Session]>) -> Session? {
        let now = clock.now()
        return state.withLockedValue { s in
            guard var session = s[keyPath: table][key] else { return nil }
            if now - session.lastSeen > idleMs || now - session.created > maxAgeMs {
                s[keyPath: table][key] = nil
                return nil
            }
            session.lastSeen = now
            s[keyPath: table][key] = session
            return session
        }
    }
}
