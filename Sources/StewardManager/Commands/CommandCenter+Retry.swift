import StewardAPI
import StewardEngine
import StewardStore

/// Retry: a new command for the failed tasks of a FAILED one, made like any
/// other (and, with a key, idempotent like any other).
extension CommandCenter {
    func retry(_ id: Int64, user: String, key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run { try await self.once(key) { try await self.doRetry(id, user: user, key: key) } }
    }

    /// A new command for only the failed tasks of a FAILED command.
    private func doRetry(_ id: Int64, user: String, key: IdempotencyKey?) async throws -> Command {
        guard let original = try await store.command(id: id) else {
            throw StewardError(.commandNotFound, "Command \(id) does not exist.")
        }
        let steps = Planner.retrySteps(of: original)
        guard original.state == .failed, !steps.isEmpty else {
            throw StewardError(.nothingToRetry, "Command \(id) is \(original.state.rawValue) with no failed task; only a FAILED command's failed tasks can be retried.")
        }
        let services = Planner.startOrder(stack).filter { s in steps.contains { $0.tasks.contains { $0.instance.service == s } } }
        try checkFree(services)
        let command = Command(kind: original.kind, clusterId: original.clusterId, target: original.target, user: user,
                              services: services, steps: steps, createdAt: clock.now())
        return try await begin(command, saving: [], key: key)
    }
}
