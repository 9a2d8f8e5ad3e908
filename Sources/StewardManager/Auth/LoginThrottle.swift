import Foundation
import NIOConcurrencyHelpers

/// Slows down password guessing: after `limit` failures of a user within the
/// window, that user is refused for `lockSeconds`; an address gets four times
/// the allowance (it may serve several users). A success clears the user's count.
final class LoginThrottle: Sendable {
    private struct State {
        var users: [String: [UInt64]] = [:]
        var addresses: [String: [UInt64]] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let limit: Int
    let lockNanos: UInt64

    init(limit: Int, lockSeconds: Int) {
        self.limit = limit
        self.lockNanos = UInt64(lockSeconds) * 1_000_000_000
    }

    /// Seconds to wait, or nil when a login may be tried.
    func wait(user: String, address: String) -> Int? {
        let now = SessionStore.now()
        return state.withLockedValue { s in
            let u = Self.recent(s.users[user], now: now, window: lockNanos)
            let a = Self.recent(s.addresses[address], now: now, window: lockNanos)
            var until: UInt64 = 0
            if u.count >= limit, let last = u.last { until = max(until, last + lockNanos) }
            if a.count >= limit * 4, let last = a.last { until = max(until, last + lockNanos) }
            return until > now ? Int((until - now) / 1_000_000_000) + 1 : nil
        }
    }

    func failed(user: String, address: String) {
        let now = SessionStore.now()
        state.withLockedValue { s in
            s.users[user] = Self.recent(s.users[user], now: now, window: lockNanos) + [now]
            s.addresses[address] = Self.recent(s.addresses[address], now: now, window: lockNanos) + [now]
            if s.users.count > 10_000 { s.users.removeAll() }
            if s.addresses.count > 10_000 { s.addresses.removeAll() }
        }
    }

    func succeeded(user: String) {
        state.withLockedValue { _ = $0.users.removeValue(forKey: user) }
    }

    private static func recent(_ list: [UInt64]?, now: UInt64, window: UInt64) -> [UInt64] {
        (list ?? []).filter { now - $0 < window }
    }
}
