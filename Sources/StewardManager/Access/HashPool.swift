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
/// A lock rather than an actor: taking and giving back a slot is a few
/// instructions, and the waiting continuations must be resumed in order.
final class HashPool: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, any Error>] = []
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
    func verify(_ password: String, against stored: String, upgradeTo rounds: Int? = nil) async throws -> (valid: Bool, upgraded: String?) {
        try await run { count in
            count(1)
            guard PasswordHasher.verify(password, against: stored) else { return (false, nil) }
            guard let rounds, let old = PasswordHasher.rounds(of: stored), old < rounds else { return (true, nil) }
            count(1)
            return (true, try PasswordHasher.hash(password, rounds: rounds))
        }
    }

    func hash(_ password: String, rounds: Int) async throws -> String {
        try await run { count in
            count(1)
            return try PasswordHasher.hash(password, rounds: rounds)
        }
    }

    /// Takes a slot (or a place in the queue, or throws at once), runs `work`
    /// on the blocking thread pool, gives the slot to the next in line.
    private func run<T: Sendable>(_ work: @escaping @Sendable (_ count: (Int) -> Void) throws -> T) async throws -> T {
        // One decision under the lock: the queue never grows past its bound.
        // A waiter is handed the slot by the one that releases it: `running` does not drop in between.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admitted: Bool? = state.withLockedValue { s in
                if s.running < concurrency { s.running += 1; return true }
                if s.waiting.count < queue { s.waiting.append(continuation); return nil }
                s.refused += 1
                return false
            }
            switch admitted {
            case true?: continuation.resume()
            case false?: continuation.resume(throwing: StewardError(
                .passwordCheckBusy, "The manager is checking too many passwords at once; try again in a moment."))
            case nil: break
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
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
