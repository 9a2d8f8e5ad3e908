import Foundation
import StewardAPI
import StewardEngine
import StewardStore

/// The cache side of `SessionStore`: lookups that go to the shared store only
/// on a miss, inserts that keep the caps in the store, and the drops that
/// notices from other managers ask for.
extension SessionStore {
    private enum Local {
        case hit(Session, touch: Bool)
        case miss(drops: UInt64)
        case dead
    }

    /// The live session under `key`, its use recorded; nil if unknown or expired.
    func live(_ key: CredentialCache.Key, in table: WritableKeyPath<State, BoundedTable<Session>>,
              kind: StoredSession.Kind) async throws -> Session? {
        let now = clock.now()
        let local: Local = state.withLockedValue { s in
            guard var session = s[keyPath: table][key] else { return .miss(drops: s.drops) }
            if now - session.created > maxAgeMs || (shared == nil && now - session.lastSeen > idleMs) {
                s[keyPath: table].remove(key)
                return .dead
            }
            if now - session.lastSeen > idleMs {
                // Idle here, but perhaps in use on another manager: the store says.
                s[keyPath: table].remove(key)
                return .miss(drops: s.drops)
            }
            session.lastSeen = now
            let touch = shared != nil && now - session.storedSeen >= touchEveryMs
            if touch { session.storedSeen = now }
            s[keyPath: table][key] = session
            s[keyPath: table].touch(key)
            return .hit(session, touch: touch)
        }
        switch local {
        case .dead: return nil
        case .hit(let session, let touch):
            // A failed write only shortens the session on other managers; the request goes on.
            if touch, let shared { try? await shared.store.touchSession(digest: key.hex, at: now) }
            return session
        case .miss(let drops):
            guard let shared, let stored = try await shared.store.session(digest: key.hex), stored.kind == kind,
                  now - stored.createdAt <= maxAgeMs, now - stored.lastSeen <= idleMs, stored.expiresAt > now else { return nil }
            try? await shared.store.touchSession(digest: key.hex, at: now)
            let session = Session(user: stored.user, role: stored.role, created: stored.createdAt, lastSeen: now,
                                  parent: stored.parent.flatMap(CredentialCache.Key.init(hex:)),
                                  mustChangePassword: stored.mustChangePassword, storedSeen: now)
            state.withLockedValue { s in
                // A drop heard since the read may be this session's end: then it is not cached
                // (this request, concurrent with the end, is still answered).
                guard s.drops == drops else { return }
                s[keyPath: table].insert(key, session, owner: session.user)
            }
            return session
        }
    }

    /// Stores a new grant or web session: in the shared store first (which
    /// evicts past the caps and says what, so that every manager drops those), then here.
    func insert(_ key: CredentialCache.Key, kind: StoredSession.Kind, user: String, role: UserRole,
                parent: CredentialCache.Key?, mustChangePassword: Bool) async throws {
        let now = clock.now()
        var evicted: [String] = []
        if let shared {
            let stored = StoredSession(digest: key.hex, kind: kind, user: user, role: role, mustChangePassword: mustChangePassword,
                                       parent: parent?.hex, createdAt: now, lastSeen: now, expiresAt: now + maxAgeMs)
            evicted = try await shared.store.insertSession(stored, perUser: limits.perUser, total: limits.total)
        }
        let session = Session(user: user, role: role, created: now, lastSeen: now, parent: parent,
                              mustChangePassword: mustChangePassword, storedSeen: now)
        let table: WritableKeyPath<State, BoundedTable<Session>> = kind == .grant ? \.grants : \.web
        state.withLockedValue { s in
            for digest in evicted { if let old = CredentialCache.Key(hex: digest) { s[keyPath: table].remove(old) } }
            s[keyPath: table].insert(key, session, owner: user)
        }
        for digest in evicted { await shared?.notices.announce(.sessionEnded(digest)) }
    }

    /// A notice: the session or grant with this digest ended (on some
    /// manager); a grant's sessions end with it. Only this cache changes.
    func dropCached(digest: String) {
        guard let key = CredentialCache.Key(hex: digest) else { return }
        state.withLockedValue { s in
            s.drops &+= 1
            s.web.remove(key)
            Self.dropGrant(key, in: &s)
        }
    }

    /// A notice (or this manager's own change): the user's password, role or existence changed.
    func dropCached(user name: String) {
        state.withLockedValue { s in
            s.drops &+= 1
            s.grants.removeAll { $0.user == name }
            s.web.removeAll { $0.user == name }
        }
    }

    static func dropGrant(_ key: CredentialCache.Key, in s: inout State) {
        s.grants.remove(key)
        s.web.removeAll { $0.parent == key }
    }
}

extension CredentialCache.Key {
    /// The digest as stored and announced: lowercase hex of its 32 bytes.
    var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for word in [a, b, c, d] { withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) } }
        return HostCredentials.hex(bytes)
    }

    init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let byte = UInt8(String(decoding: chars[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self = bytes.withUnsafeBytes { raw in
            Self(a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                 c: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }
}
