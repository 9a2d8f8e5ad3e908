import StewardAPI
import StewardEngine

/// The command center's part in `restart_on_failure` (`FailureRestarts`
/// decides when): the restart command itself, and who hears of ended commands.
extension CommandCenter {
    func watch(_ restarts: FailureRestarts) { self.restarts = restarts }

    /// The manager's own restart of an instance that failed (`restart_on_failure`):
    /// a command like any other, by user "system", refused while the service is held.
    func submitRestart(_ instance: InstanceRef, attempt: Int) async throws -> Command {
        try await gate.run { try await self.createRestart(instance, attempt: attempt) }
    }

    private func createRestart(_ instance: InstanceRef, attempt: Int) async throws -> Command {
        let topology = await cluster.topology
        // An instance removed since it failed is not brought back.
        guard topology.contains(instance) else {
            throw StewardError(.instanceNotFound, "Instance '\(instance)' is no longer placed.")
        }
        let command = Command(kind: .restartInstance, clusterId: stack.cluster.id,
                              target: "\(instance) after failure (attempt \(attempt))", user: "system",
                              services: [instance.service],
                              steps: Planner.restartSteps(of: [instance], in: stack, topology: topology),
                              createdAt: clock.now())
        try checkFree(command.services)
        return try await begin(command, saving: [])
    }
}
