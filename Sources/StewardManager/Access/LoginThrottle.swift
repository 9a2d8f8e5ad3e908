import Foundation
import NIOConcurrencyHelpers
import StewardAPI
import StewardEngine
import StewardStore

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
///
/// With a store (every manager has one) the counts live in it and each
/// attempt is counted in a transaction, so that N managers on one database do
/// not give a guesser N times the tries. A lock once seen is remembered here
/// until it ends (a lock only grows: nothing is checked while it holds), so
/// that a burst of refused guesses costs no round trips. Without one (unit
/// tests) the counts are in memory.
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
    typealias Count = LoginFailureCount
    private struct State {
        var pairs: [Pair: Count] = [:]
        var sources: [String: Count] = [:]
    }
    /// The counts when there is no store.
    private let memory = NIOLockedValueBox(State())
    /// Locks read from the store, by when they end.
    private let locks = NIOLockedValueBox((pairs: [Pair: Millis](), sources: [String: Millis]()))
    private let store: SQLStore?
    let limit: Int
    let lockMs: Millis
    let clock: any TimeSource
    static let dayMs: Millis = 24 * 3600 * 1000
    static let capacity = 10_000
    var sourceLimit: Int { limit * 4 }

    init(limit: Int, lockSeconds: Int, clock: any TimeSource, store: SQLStore? = nil) {
        self.limit = limit
        self.lockMs = Millis(lockSeconds) * 1000
        self.clock = clock
        self.store = store
    }

    /// Counts an attempt of `user` from `source` as a failure in advance, or
    /// says how long to wait.
    func reserve(user: String, source: String) async throws -> Verdict {
        let now = clock.now()
        let key = Pair(user: user, source: source)
        let known = locks.withLockedValue { max($0.pairs[key] ?? 0, $0.sources[source] ?? 0) }
        if known > now { return .wait(Int((known - now + 999) / 1000), first: false) }
        let (limit, sourceLimit, lockMs) = (limit, sourceLimit, lockMs)
        let (verdict, pairUntil, sourceUntil) = try await update(key) { pair, from in
            Self.decide(key, &pair, &from, now: now, limit: limit, sourceLimit: sourceLimit, lockMs: lockMs)
        }
        if store != nil, case .wait = verdict {
            locks.withLockedValue { l in
                if l.pairs.count > Self.capacity { l.pairs = l.pairs.filter { $0.value > now } }
                if l.sources.count > Self.capacity { l.sources = l.sources.filter { $0.value > now } }
                if pairUntil > now { l.pairs[key] = pairUntil }
                if sourceUntil > now { l.sources[source] = sourceUntil }
            }
        }
        return verdict
    }

    /// The verdict on one attempt, from the counts as they stand; the counts as it leaves them.
    private static func decide(_ key: Pair, _ pair: inout Count, _ from: inout Count, now: Millis, limit: Int, sourceLimit: Int,
                               lockMs: Millis) -> (Verdict, Millis, Millis) {
        pair = live(pair, now)
        from = live(from, now)
        let pairUntil = lockedUntil(pair, limit, lockMs), sourceUntil = lockedUntil(from, sourceLimit, lockMs)
        if max(pairUntil, sourceUntil) > now {
            let until = max(pairUntil, sourceUntil)
            let first: Bool
            if pairUntil >= sourceUntil {
                first = pair.reported != until
                pair.reported = until
            } else {
                first = from.reported != until
                from.reported = until
            }
            return (.wait(Int((until - now + 999) / 1000), first: first), pairUntil, sourceUntil)
        }
        let clean = pair.failures == 0 && from.failures == 0
        pair = Count(failures: pair.failures + 1, last: now)
        from = Count(failures: from.failures + 1, last: now)
        return (.go(Attempt(user: key.user, source: key.source, clean: clean)), 0, 0)
    }

    /// The password was right: the pair starts afresh, the source gets its reservation back.
    func succeeded(_ attempt: Attempt) async throws {
        try await update(attempt.pair) { pair, from in
            pair = Count()
            Self.giveBack(&from)
        }
    }

    /// The check did not happen (the hash pool was full, the store failed, the
    /// user changed meanwhile): the reservation is given back.
    func cancel(_ attempt: Attempt) async throws {
        try await update(attempt.pair) { pair, from in
            Self.giveBack(&pair)
            Self.giveBack(&from)
        }
    }

    /// Reads and writes the counts of a pair and its source at once: in the store's transaction, or under the lock.
    private func update<T: Sendable>(_ key: Pair, _ change: @escaping @Sendable (inout Count, inout Count) -> T) async throws -> T {
        if let store { return try await store.updateLoginFailures(user: key.user, source: key.source, change) }
        return memory.withLockedValue { s in
            var pair = s.pairs[key] ?? Count(), from = s.sources[key.source] ?? Count()
            let result = change(&pair, &from)
            s.pairs[key] = pair.failures > 0 || pair.reported != 0 ? pair : nil
            s.sources[key.source] = from.failures > 0 || from.reported != 0 ? from : nil
            Self.prune(&s, limit: limit)
            return result
        }
    }

    private static func live(_ count: Count, _ now: Millis) -> Count {
        now - count.last < dayMs ? count : Count()
    }

    /// When the lock of `count` ends: `lockMs` at `limit` failures, doubling with each one more.
    private static func lockedUntil(_ count: Count, _ limit: Int, _ lockMs: Millis) -> Millis {
        guard count.failures >= limit else { return 0 }
        let doublings = min(count.failures - limit, 20)
        return count.last + min(dayMs, lockMs << doublings)
    }

    private static func giveBack(_ count: inout Count) {
        count.failures -= 1
        if count.failures <= 0 { count = Count() }
    }

    /// Bounded memory: unlocked counts go first, and everything only if locks alone fill it.
    private static func prune(_ s: inout State, limit: Int) {
        if s.pairs.count > capacity { s.pairs = s.pairs.filter { $0.value.failures >= limit } }
        if s.pairs.count > capacity { s.pairs.removeAll() }
        if s.sources.count > capacity { s.sources = s.sources.filter { $0.value.failures >= limit * 4 } }
        if s.sources.count > capacity { s.sources.removeAll() }
    }
}
