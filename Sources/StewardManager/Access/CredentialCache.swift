import Crypto
import Foundation
import StewardAPI
import StewardEngine
import NIOConcurrencyHelpers

/// A user the request was authenticated as.
public struct AuthenticatedUser: Sendable, Hashable {
    public let name: String
    public let role: UserRole
    public let mustChangePassword: Bool
}

/// Remembers verified credentials for a short time, keyed by a SHA-256 digest
/// of the user name and password as parsed from the header (so `basic`,
/// `BASIC` or extra spaces find the same entry), so that a script polling with
/// Basic credentials pays the slow hash once a minute rather than on every
/// request. Neither the password nor the header is kept.
///
/// Each user has a generation, raised whenever its password, role or
/// existence changes. A check reads it before it starts and stores its result
/// only if it is unchanged, so a check that was running during a change
/// cannot put the old credentials back.
///
/// A lock rather than an actor: this sits on every request's path, where an
/// actor hop under 64 concurrent connections costs measurably more.
final class CredentialCache: Sendable {
    private struct Entry { let user: AuthenticatedUser; let expires: Millis; let generation: Int }
    private struct State {
        var entries: [Key: Entry] = [:]
        var generations: [String: Int] = [:]
    }
    private let state = NIOLockedValueBox(State())

    /// A SHA-256 digest as four words: hashed and compared without allocating.
    struct Key: Hashable, Sendable {
        let a, b, c, d: UInt64
    }
    private let ttlMs: Millis
    private let clock: any TimeSource
    private let capacity: Int

    init(ttlSeconds: Double = 60, capacity: Int = 4096, clock: any TimeSource) {
        self.ttlMs = Millis(ttlSeconds * 1000)
        self.clock = clock
        self.capacity = capacity
    }

    /// The key of a user name and password; the NUL between them cannot be in a
    /// name (so `a` + `b:c` and `a:b` + `c` differ).
    static func key(user: String, password: String) -> Key {
        key(user + "\u{0}" + password)
    }

    /// The key of any secret string (a CAS grant, for its sessions).
    static func key(_ secret: String) -> Key {
        var hasher = SHA256()
        var secret = secret
        secret.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { raw in
            Key(a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                c: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    func generation(of user: String) -> Int {
        state.withLockedValue { $0.generations[user] ?? 0 }
    }

    func lookup(_ key: Key) -> AuthenticatedUser? {
        let now = clock.now()
        return state.withLockedValue { s in
            guard let entry = s.entries[key] else { return nil }
            if entry.expires < now || entry.generation != s.generations[entry.user.name] ?? 0 {
                s.entries[key] = nil
                return nil
            }
            return entry.user
        }
    }

    /// Stores a verified credential, unless its user changed since `generation` was read.
    func store(_ key: Key, user: AuthenticatedUser, generation: Int) {
        let now = clock.now()
        state.withLockedValue { s in
            guard s.generations[user.name] ?? 0 == generation else { return }
            if s.entries.count >= capacity {
                s.entries = s.entries.filter { $0.value.expires >= now }
                if s.entries.count >= capacity { s.entries.removeAll(keepingCapacity: true) }
            }
            s.entries[key] = Entry(user: user, expires: now + ttlMs, generation: generation)
        }
    }

    /// Forgets every cached credential of a user and raises its generation
    /// (password change, role change, removal).
    func forget(user name: String) {
        state.withLockedValue { s in
            s.generations[name, default: 0] += 1
            s.entries = s.entries.filter { $0.value.user.name != name }
        }
    }
}
