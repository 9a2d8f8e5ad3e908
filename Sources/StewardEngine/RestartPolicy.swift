import StewardAPI

/// A role's `restart_on_failure`: how the manager restarts an instance that
/// stopped or turned unhealthy while it should run, as Cloudera Manager and
/// systemd do. Each restart waits the initial backoff, doubled for each
/// restart before it within `resetAfter`, up to `maxBackoff`; past
/// `maxRestarts` restarts within `resetAfter`, the manager gives up.
public struct RestartPolicy: Sendable, Codable, Hashable {
    public let initialBackoffSeconds: Int
    public let maxBackoffSeconds: Int
    public let maxRestarts: Int
    public let resetAfterSeconds: Int

    public init(initialBackoffSeconds: Int = 1, maxBackoffSeconds: Int = 60, maxRestarts: Int = 5, resetAfterSeconds: Int = 300) {
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.maxRestarts = maxRestarts
        self.resetAfterSeconds = resetAfterSeconds
    }
}

/// One instance's restarts under its role's policy: a pure value, given the
/// time, so that every case is unit-tested without waiting.
public struct RestartTracker: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        /// Restart at `at` (milliseconds since the epoch); `attempt` counts from 1 within the window.
        case restart(attempt: Int, at: Millis)
        /// No more restarts: the reason, for the log and the operator.
        case giveUp(reason: String)
    }

    public let policy: RestartPolicy
    /// When each restart within the window was decided, oldest first.
    public private(set) var restarts: [Millis] = []

    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    /// A failure seen at `now`: restart after the backoff, or give up.
    /// Restarts older than `resetAfterSeconds` no longer count, so an
    /// instance that ran well for that long starts over at the initial backoff.
    public mutating func failed(at now: Millis) -> Decision {
        let window = Millis(policy.resetAfterSeconds) * 1000
        restarts.removeAll { now - $0 >= window }
        guard restarts.count < policy.maxRestarts else {
            return .giveUp(reason: "\(restarts.count) restarts within \(policy.resetAfterSeconds) s (max_restarts \(policy.maxRestarts))")
        }
        let delay = Self.backoff(after: restarts.count, policy: policy)
        restarts.append(now)
        return .restart(attempt: restarts.count, at: now + delay)
    }

    /// The delay before a restart that follows `previous` restarts: the
    /// initial backoff doubled that many times, capped (in milliseconds).
    public static func backoff(after previous: Int, policy: RestartPolicy) -> Millis {
        let cap = Millis(policy.maxBackoffSeconds) * 1000
        var delay = Millis(policy.initialBackoffSeconds) * 1000
        for _ in 0..<previous where delay < cap { delay *= 2 }
        return min(delay, cap)
    }
}
