import StewardAPI
import StewardEngine

/// Everything agents say enters here: each message counts as a sign of life,
/// instance reports and metrics are recorded, and results, output, lost hosts
/// and restarted agents go on to the command center as events.
extension AgentHub {
    /// A registration. Returns the tasks a previous process of the agent held,
    /// which fail now (the center is told).
    func hello(_ hello: AgentHello) async throws(StewardError) -> Set<Int64> {
        try requireHost(hello.host)
        seen(hello.host, version: hello.agentVersion)
        await cluster.record(hello.instances, host: hello.host)
        await restarts?.observe(hello.instances, host: hello.host)
        await peers?.present(hello.host, reports: hello.instances)
        let lost = register(hello.host, incarnation: hello.incarnation)
        if !lost.isEmpty { try await center?.receive(.agentRestarted(host: hello.host, tasks: lost)) }
        return lost
    }

    /// `disconnects` is read before the poll was authenticated: a disconnect
    /// since then (its credential was revoked) refuses the poll, whether it
    /// came before the wait or ended it, rather than answer it empty.
    func poll(_ poll: AgentPoll, timeoutMs: Int, disconnects: UInt64? = nil) async throws(StewardError) -> AgentWork {
        try requireHost(poll.host)
        seen(poll.host)
        let before = disconnects ?? self.disconnects(of: poll.host)
        let work = await self.poll(host: poll.host, received: poll.received, timeoutMs: timeoutMs, disconnects: before)
        guard self.disconnects(of: poll.host) == before else {
            throw StewardError(.agentCredentialRefused, "The credential of host '\(poll.host)' was revoked.")
        }
        return work
    }

    func result(_ result: AgentTaskResult) async throws(StewardError) {
        try requireHost(result.host)
        seen(result.host)
        settled(result.taskId, host: result.host)
        await cluster.record(result.instance, host: result.host)
        try await center?.receive(.result(result))
        // After the center took the result: a restart's own end frees the instance first.
        await restarts?.observe([result.instance], host: result.host)
    }

    func output(_ output: AgentTaskOutput) async throws(StewardError) {
        try requireHost(output.host)
        try await center?.receive(.output(output))
    }

    func heartbeat(_ beat: AgentHeartbeat) async throws(StewardError) {
        try requireHost(beat.host)
        let wasLost = isLost(beat.host)
        seen(beat.host)
        let changed = await cluster.record(beat.instances, host: beat.host)
        if changed || wasLost { await peers?.present(beat.host, reports: beat.instances) }
        await restarts?.observe(beat.instances, host: beat.host)
        if let sample = beat.metrics { metrics.record(sample, host: beat.host) }
    }

    func requireHost(_ host: String) throws(StewardError) {
        guard knows(host) else {
            throw StewardError(.agentUnknownHost, "Host '\(host.prefix(64))' is not part of the cluster.")
        }
    }
}
