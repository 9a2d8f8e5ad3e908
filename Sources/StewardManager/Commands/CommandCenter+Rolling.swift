import StewardAPI
import StewardEngine
import StewardStore

/// Rolling restarts: planned from the instances running now, one step per
/// batch; `Command.advance` holds each batch until the one before has ended
/// and the pause has passed, and the center's tick advances it then.
extension CommandCenter {
    func submitRollingRestart(service: String, policy: RollingPolicy, user: String, key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run {
            try await self.once(key) { try await self.createRollingRestart(service: service, policy: policy, user: user, key: key) }
        }
    }

    private func createRollingRestart(service: String, policy: RollingPolicy, user: String, key: IdempotencyKey?) async throws -> Command {
        let command = try await draftRollingRestart(service: service, policy: policy, user: user)
        // The same lock as a restart of the service alone: its dependents keep running and are not held.
        try checkFree(command.services)
        // The store copies the draft, its policy included, into the command it runs.
        return try await begin(command, saving: [], key: key)
    }

    /// The rolling restart a request would create, not stored: for dry runs too.
    func draftRollingRestart(service: String, policy: RollingPolicy, user: String) async throws(StewardError) -> Command {
        guard let definition = stack.service(service) else {
            throw StewardError(.serviceNotFound, "Service '\(service)' does not exist in the cluster.")
        }
        var running: Set<InstanceRef> = []
        let topology = await cluster.topology
        for ref in RollingRestart.instances(of: definition, in: topology) {
            let lost = await agents.isLost(ref.host)
            if await cluster.status(of: ref, hostLost: lost).0 == .started { running.insert(ref) }
        }
        let (steps, run) = try RollingRestart.plan(service: service, running: running, policy: policy, in: stack, topology: topology)
        var command = Command(kind: .rollingRestart, clusterId: stack.cluster.id, target: service, user: user,
                              services: [service], steps: steps, createdAt: clock.now())
        command.rolling = run
        return command
    }
}
