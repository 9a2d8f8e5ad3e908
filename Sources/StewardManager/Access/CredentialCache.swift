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

/// Remembers verified credentials for a short time, keyed by a SHA-256 digest of
/// the `Authorization` header, so that a script polling with Basic credentials
/// pays the slow hash once a minute rather than on every request. Neither the
/// password nor the header is kept.
///
/// A lock rather than an actor: this sits on every request's path, where an
/// actor hop under 64 concurrent connections costs measurably more.
final class CredentialCache: Sendable {
    private struct Entry { let user: AuthenticatedUser; let expires: Millis }
    private let entries = NIOLockedValueBox<[Key: Entry]>([:])

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

    static func key(_ header: String) -> Key {
        var hasher = SHA256()
        var header = header
        header.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { raw in
            Key(a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                c: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self), d: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        }
    }

    func lookup(_ key: Key) -> AuthenticatedUser? {
        let now = clock.now()
        return entries.withLockedValue { map in
            guard let entry = map[key] else { return nil }
            if entry.expires < now {
                map[key] = nil
                return nil
            }
            return entry.user
        }
    }

    func store(_ key: Key, user: AuthenticatedUser) {
        let now = clock.now()
        entries.withLockedValue { map in
            if map.count >= capacity {
                map = map.filter { $0.value.expires >= now }
                if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            }
            map[key] = Entry(user: user, expires: now + ttlMs)
        }
    }

    /// Forgets every cached credential of a user (password change, removal).
    func forget(user name: String) {
        entries.withLockedValue { map in map = map.filter { $0.value.user.name != name } }
    }
}
