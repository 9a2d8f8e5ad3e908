/// How often a supervisor restarts a process that keeps dying: up to `limit`
/// times, each after a pause twice the last; a process that then ran for
/// `stableAfter` has its count start over, as one that works again should.
public struct RestartBudget: Sendable, Equatable {
    public let limit: Int
    public let firstDelay: Duration
    public let maxDelay: Duration
    public let stableAfter: Duration
    public private(set) var used = 0

    public init(limit: Int = 5, firstDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
                stableAfter: Duration = .seconds(60)) {
        self.limit = limit
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
        self.stableAfter = stableAfter
    }

    /// For a process that died after running for `uptime`: which restart
    /// this is (1...limit) and the pause before it; nil once all are used.
    public mutating func next(afterRunningFor uptime: Duration) -> (attempt: Int, delay: Duration)? {
        if uptime >= stableAfter { used = 0 }
        guard used < limit else { return nil }
        used += 1
        var delay = firstDelay
        for _ in 1..<used where delay < maxDelay { delay = delay * 2 }
        return (used, min(delay, maxDelay))
    }
}
