import NIOConcurrencyHelpers
import StewardAPI

/// Caps the event streams and long polls each user holds open at once: each
/// one keeps a connection, a task and a watcher alive for up to a minute or
/// for a whole command, so one script (or one stolen password) must not be
/// able to hold thousands. Beyond the cap: 429 with `tooManyStreams`.
final class StreamLimiter: Sendable {
    let perUser: Int
    private let open = NIOLockedValueBox<[String: Int]>([:])

    init(perUser: Int) { self.perUser = max(1, perUser) }

    /// Held while the stream or poll is open; released once, by `release` or,
    /// if the response was dropped unsent, when it is freed.
    final class Permit: Sendable {
        private let limiter: StreamLimiter
        private let user: String
        private let held = NIOLockedValueBox(true)

        fileprivate init(limiter: StreamLimiter, user: String) {
            self.limiter = limiter
            self.user = user
        }

        func release() {
            guard held.withLockedValue({ was in defer { was = false }; return was }) else { return }
            limiter.release(user)
        }

        deinit { release() }
    }

    func acquire(for user: String) throws(StewardError) -> Permit {
        let granted = open.withLockedValue { counts in
            guard counts[user, default: 0] < perUser else { return false }
            counts[user, default: 0] += 1
            return true
        }
        guard granted else {
            throw StewardError(.tooManyStreams, "User '\(user.prefix(64))' already has \(perUser) event streams and long polls open; close one first.")
        }
        return Permit(limiter: self, user: user)
    }

    func openCount(for user: String) -> Int { open.withLockedValue { $0[user] ?? 0 } }

    private func release(_ user: String) {
        open.withLockedValue { counts in
            let left = (counts[user] ?? 1) - 1
            counts[user] = left > 0 ? left : nil
        }
    }
}
