import NIOConcurrencyHelpers
import NIOPosix
import StewardAPI

/// Where every slow password hash of the manager runs: at most `concurrency`
/// at once, at most `queue` more waiting their turn; anything beyond is
/// refused at once (429, `10015`) rather than queued, so that a burst of
/// guesses costs the manager a bounded amount of CPU and latency, and a real
/// user's login waits behind at most `queue` others. Cached credentials never
/// come here.
///
/// A check marked `first` (its user and source had no failures: a real user,
/// or a guesser's first try only) waits ahead of the others and, when the
/// queue is full, takes the place of the newest other, which is refused
/// instead: a burst of guesses cannot push a real user's login out.
///
/// A lock rather than an actor: taking and giving back a slot is a few
/// instructions, and the waiting continuations must be resumed in order.
final class HashPool: Sendable {
    private enum Admission { case run, wait, refuse(CheckedContinuation<Void, any Error>) }
    private struct Waiter {
        let continuation: CheckedContinuation<Void, any Error>
        let first: Bool
    }
    private struct State {
        var running = 0
        /// The `first` ones ahead of the others, each group in arrival order.
        var waiting: [Waiter] = []
        var hashes = 0
        var refused = 0
        var gate: (@Sendable () async -> Void)?
    }
    private let state = NIOLockedValueBox(State())
    let concurrency: Int
    let queue: Int

    init(concurrency: Int, queue: Int) {
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
    }

    /// PBKDF2 computations run so far (each verify and each new hash): the
    /// figure `/metrics` reports as `steward_password_hashes_total`.
    var hashes: Int { state.withLockedValue { $0.hashes } }
    /// Checks refused because the pool and its queue were full.
    var refused: Int { state.withLockedValue { $0.refused } }
    /// Hashes running and waiting now.
    var load: (running: Int, waiting: Int) { state.withLockedValue { ($0.running, $0.waiting.count) } }

    /// Tests only: awaited inside a slot before each hash, to hold a slow check
    /// still at a known point.
    func setGate(_ gate: (@Sendable () async -> Void)?) {
        state.withLockedValue { $0.gate = gate }
    }

    /// Whether `password` matches `stored`; when it does and `stored` has fewer
    /// than `upgradeTo` rounds, also a new hash of it with `upgradeTo` rounds,
    /// made in the same slot.
    func verify(_ password: String, against stored: String, upgradeTo rounds: Int? = nil,
                first: Bool) async throws -> (valid: Bool, upgraded: String?) {
        try await run(first: first) { count in
            count(1)
            guard PasswordHasher.verify(password, against: stored) else { return (false, nil) }
            guard let rounds, let old = PasswordHasher.rounds(of: stored), old < rounds else { return (true, nil) }
            count(1)
            return (true, try PasswordHasher.hash(password, rounds: rounds))
        }
    }

    /// A new hash: asked for by an authenticated user, so it goes first.
    func hash(_ password: String, rounds: Int) async throws -> String {
        try await run(first: true) { count in
            count(1)
            return try PasswordHasher.hash(password, rounds: rounds)
        }
    }

    /// Takes a slot (or a place in the queue, or throws at once), runs `work`
    /// on the blocking thread pool, gives the slot to the next in line.
    private func run<T: Sendable>(first: Bool, _ work: @escaping @Sendable (_ count: (Int) -> Void) throws -> T) async throws -> T {
        // One decision under the lock: the queue never grows past its bound.
        // A waiter is handed the slot by the one that releases it: `running` does not drop in between.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admission: Admission = state.withLockedValue { s in
                if s.running < concurrency { s.running += 1; return .run }
                let waiter = Waiter(continuation: continuation, first: first)
                if s.waiting.count < queue || (first && s.waiting.contains { !$0.first }) {
                    var bumped: Waiter?
                    if s.waiting.count >= queue { bumped = s.waiting.removeLast() }
                    s.waiting.insert(waiter, at: first ? s.waiting.firstIndex { !$0.first } ?? s.waiting.count : s.waiting.count)
                    guard let bumped else { return .wait }
                    s.refused += 1
                    return .refuse(bumped.continuation)
                }
                s.refused += 1
                return .refuse(continuation)
            }
            switch admission {
            case .run: continuation.resume()
            case .wait: break
            case .refuse(let refused): refused.resume(throwing: StewardError(
                .passwordCheckBusy, "The manager is checking too many passwords at once; try again in a moment."))
            }
        }
        defer { release() }
        if let gate = state.withLockedValue({ $0.gate }) { await gate() }
        return try await NIOThreadPool.singleton.runIfActive { [state] in
            try work { n in state.withLockedValue { $0.hashes += n } }
        }
    }

    /// The pool's counters in Prometheus's text format, for `/metrics`.
    func exposition() -> String {
        let (hashes, refused) = state.withLockedValue { ($0.hashes, $0.refused) }
        return """
            # HELP steward_password_hashes_total PBKDF2 password hashes computed (login checks, new passwords, upgrades).
            # TYPE steward_password_hashes_total counter
            steward_password_hashes_total \(hashes)
            # HELP steward_password_checks_refused_total Password checks refused at once because the hash pool was full.
            # TYPE steward_password_checks_refused_total counter
            steward_password_checks_refused_total \(refused)

            """
    }

    private func release() {
        let next = state.withLockedValue { s -> CheckedContinuation<Void, any Error>? in
            if s.waiting.isEmpty {
                s.running -= 1
                return nil
            }
            return s.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
