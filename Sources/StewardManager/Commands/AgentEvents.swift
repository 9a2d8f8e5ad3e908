import StewardAPI

/// What agents say that matters to commands, as the agent hub hands it to
/// the command center's one input (`CommandCenter.receive`).
enum AgentEvent: Sendable {
    /// A task's result; the hub has already recorded the instance's status.
    case result(AgentTaskResult)
    /// A running task's output so far.
    case output(AgentTaskOutput)
    /// A host stopped sending heartbeats: its running tasks will never report.
    case hostLost(String)
    /// A host's agent came back as a new process: the tasks its previous one
    /// held will never report.
    case agentRestarted(host: String, tasks: Set<Int64>)
}

/// The command center, as the agent hub sees it.
protocol AgentEventSink: Sendable {
    /// Throws (503) when a result or output could not be stored: the agent keeps it and sends it again.
    func receive(_ event: AgentEvent) async throws(StewardError)
}

/// The agents, as the command center sees them: where tasks go and whether
/// a host can take them. `AgentHub` in the manager; a fake in unit tests.
protocol AgentDispatch: Sendable {
    func isLost(_ host: String) async -> Bool
    func enqueue(_ tasks: [AgentTask], for host: String) async
    func abort(_ taskIDs: [Int64], on host: String) async
}
