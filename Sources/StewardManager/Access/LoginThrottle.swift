import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine

/// Slows down password guessing, as OWASP advises, without handing anyone a
/// way to lock a real user out from everywhere:
///
/// - failures are counted per (user, source address) together: after `limit`
///   of them that pair is refused for `lockSeconds`, then twice as long after
///   each further failure (exponential backoff, capped at a day); the same user
///   from another source is not affected;
/// - a source gets four times the allowance across all users, with the same
///   backoff (one source guessing many names);
/// - an attempt is counted when it is *reserved*, before its hash runs, so that
///   concurrent guesses cannot overtake the count; a success takes its
///   reservation back and clears the pair, a check that never ran gives it back.
///
/// Counts are forgotten after a day without a failure.
final class LoginThrottle: Sendable {
    struct Attempt: Sendable {
        let user: String
        let source: String
        /// Neither the pair nor the source had failed before: the hash pool
        /// serves such attempts first (a real user rarely has failures, a guesser always).
        let clean: Bool
        var pair: Pair { Pair(user: user, source: source) }
    }
    struct Pair: Hashable {
        let user: String
        let source: String
    }
    enum Verdict: Sendable {
        case go(Attempt)
        /// Seconds until the pair or the source may try again; `first` for the
        /// first refusal of this lock (audited; the others are not, so that a
        /// burst of refused guesses does not become a burst of store writes).
        case wait(Int, first: Bool)
    }
    private struct Count {
        var failures = 0
        var last: Millis = 0
        /// The end of the lock whose first refusal was already reported.
        var reported: Millis = 0
    }
    private struct State {
        var pairs: [Pair: Count] = [:]
        var sources: [String: Count] = [:]
    }
    private let state = NIOLockedValueBox(State())
    let limit: Int
    let lockMs: Millis
    let clock: any TimeSource
    static let dayMs: Millis = 24 * 3600 * 1000
    static let capacity = 10_000
    var sourceLimit: Int { limit * 4 }

    init(limit: Int, lockSeconds: Int, clock: any TimeSource) {
        self.limit = limit
        self.lockMs = Millis(lockSeconds) * 1000
        self.clock = clock
    }

    /// Counts an attempt of `user` from `source` as a failure in advance, or
    /// says how long to wait.
    func reserve(user: String, source: String) -> Verdict {
        let now = clock.now()
        let key = Pair(user: user, source: source)
        return state.withLockedValue { s in
            var pair = live(s.pairs[key], now), from = live(s.sources[source], now)
            let pairUntil = lockedUntil(pair, limit), sourceUntil = lockedUntil(from, sourceLimit)
            if max(pairUntil, sourceUntil) > now {
                let until = max(pairUntil, sourceUntil)
                let first: Bool
                if pairUntil >= sourceUntil {
                    first = pair.reported != until
                    pair.reported = until
                    s.pairs[key] = pair
                } else {
                    first = from.reported != until
                    from.reported = until
                    s.sources[source] = from
                }
                return .wait(Int((until - now + 999) / 1000), first: first)
            }
            let clean = pair.failures == 0 && from.failures == 0
            s.pairs[key] = Count(failures: pair.failures + 1, last: now)
            s.sources[source] = Count(failures: from.failures + 1, last: now)
            Self.prune(&s, limit: limit)
            return .go(Attempt(user: user, source: source, clean: clean))
        }
    }

    /// The password was right: the pair starts afresh, the source gets its reservation back.
    func succeeded(_ attempt: Attempt) {
        state.withLockedValue { s in
            s.pairs[attempt.pair] = nil
            Self.giveBack(&s.sources, attempt.source)
        }
    }

    /// The check did not happen (the hash pool was full, the store failed, the
    /// user changed meanwhile): the reservation is given back.
    func cancel(_ attempt: Attempt) {
        state.withLockedValue { s in
            Self.giveBack(&s.pairs, attempt.pair)
            Self.giveBack(&s.sources, attempt.source)
        }
    }

    private func live(_ count: Count?, _ now: Millis) -> Count {
        guard let count, now - count.last < Self.dayMs else { return Count() }
        return count
    }

    /// When the lock of `count` ends: `lockMs` at `limit` failures, doubling with each one more.
    private func lockedUntil(_ count: Count, _ limit: Int) -> Millis {
        guard count.failures >= limit else { return 0 }
        let doublings = min(count.failures - limit, 20)
        return count.last + min(Self.dayMs, lockMs << doublings)
    }

    private static func giveBack<K: Hashable>(_ map: inout [K: Count], _ key: K) {
        guard var count = map[key] else { return }
        count.failures -= 1
        map[key] = count.failures > 0 ? count : nil
    }

    /// Bounded memory: unlocked counts go first, and everything only if locks alone fill it.
    private static func prune(_ s: inout State, limit: Int) {
        if s.pairs.count > capacity { s.pairs = s.pairs.filter { $0.value.failures >= limit } }
        if s.pairs.count > capacity { s.pairs.removeAll() }
        if s.sources.count > capacity { s.sources = s.sources.filter { $0.value.failures >= limit * 4 } }
        if s.sources.count > capacity { s.sources.removeAll() }
    }
}
