import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// Slows down password guessing: after `limit` failures of a user within the
/// window, that user is refused for `lockSeconds`; an address gets four times
/// the allowance (it may serve several users). A success clears the user's count.
final class LoginThrottle: Sendable {
    private struct State {
        var users: [String: [Millis]] = [:]
        var addresses: [String: [Millis]] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let limit: Int
    let lockMs: Millis
    let clock: any TimeSource

    init(limit: Int, lockSeconds: Int, clock: any TimeSource) {
        self.limit = limit
        self.lockMs = Millis(lockSeconds) * 1000
        self.clock = clock
    }

    /// Seconds to wait, or nil when a login may be tried.
    func wait(user: String, address: String) -> Int? {
        let now = clock.now()
        return state.withLockedValue { s in
            let u = Self.recent(s.users[user], now: now, window: lockMs)
            let a = Self.recent(s.addresses[address], now: now, window: lockMs)
            var until: Millis = 0
            if u.count >= limit, let last = u.last { until = max(until, last + lockMs) }
            if a.count >= limit * 4, let last = a.last { until = max(until, last + lockMs) }
            return until > now ? Int((until - now) / 1000) + 1 : nil
        }
    }

    func failed(user: String, address: String) {
        let now = clock.now()
        state.withLockedValue { s in
            s.users[user] = Self.recent(s.users[user], now: now, window: lockMs) + [now]
            s.addresses[address] = Self.recent(s.addresses[address], now: now, window: lockMs) + [now]
            if s.users.count > 10_000 { s.users.removeAll() }
            if s.addresses.count > 10_000 { s.addresses.removeAll() }
        }
    }

    func succeeded(user: String) {
        state.withLockedValue { _ = $0.users.removeValue(forKey: user) }
    }

    private static func recent(_ list: [Millis]?, now: Millis, window: Millis) -> [Millis] {
        (list ?? []).filter { now - $0 < window }
    }
}
