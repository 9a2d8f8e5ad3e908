/// How often agents heartbeat, and how long a quiet host has before it is
/// lost, by the cluster's size.
///
/// Up to `maxPerSecond` hosts the configured interval and timeout hold as
/// they are. Beyond, the interval grows so that the manager takes about
/// `maxPerSecond` heartbeats a second whatever the number of hosts, as Nomad's
/// heartbeat TTLs do, and the timeout grows with it: a host is lost after the
/// same number of missed heartbeats at any size, so that a busy manager's
/// slower answers never make a healthy host look lost.
public struct HeartbeatPolicy: Sendable, Equatable {
    public var intervalMs: Int
    public var timeoutMs: Int
    public var maxPerSecond: Int

    public init(intervalMs: Int, timeoutMs: Int, maxPerSecond: Int) {
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
        self.maxPerSecond = maxPerSecond
    }

    /// The interval and timeout for a cluster of `hosts` hosts.
    public func scaled(hosts: Int) -> HeartbeatPolicy {
        guard maxPerSecond > 0, intervalMs > 0 else { return self }
        let needed = (max(0, hosts) * 1000 + maxPerSecond - 1) / maxPerSecond
        guard needed > intervalMs else { return self }
        // Rounded up to whole seconds, so the figures operators read stay plain.
        let interval = (needed + 999) / 1000 * 1000
        let timeout = Int((Double(timeoutMs) * Double(interval) / Double(intervalMs)).rounded(.up))
        return HeartbeatPolicy(intervalMs: interval, timeoutMs: timeout, maxPerSecond: maxPerSecond)
    }
}
