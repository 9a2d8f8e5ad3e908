import StewardAPI
import StewardEngine
import StewardStore

/// Placement: instances added to and removed from hosts, hosts decommissioned,
/// joined and forgotten. Each runs under the center's gate, checked against
/// the topology as it is then (`Topology`), so two requests never both pass a
/// check that only one of them may. A placement command holds its host as well
/// as its services: nothing else is placed on or taken off a host while one runs.
extension CommandCenter {
    /// The host a placement command holds: its instance's (`Role@host`) or the one it decommissions.
    nonisolated static func placementHost(of command: Command) -> String? {
        switch command.kind {
        case .addInstance, .removeInstance:
            command.target.split(separator: "@", maxSplits: 1).dropFirst().first.map(String.init)
        case .decommissionHost:
            command.target
        case .startService, .stopService, .restartService, .saveConfiguration, .restartInstance, .rollingRestart:
            nil
        }
    }

    // MARK: entry points

    /// A dry run makes nothing: its `key` is not looked at (the controllers pass none).
    func submitAdd(role: String, host: String, start: Bool, user: String, dryRun: Bool = false,
                   key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run {
            try await self.once(key) { try await self.add(role: role, host: host, start: start, user: user, dryRun: dryRun, key: key) }
        }
    }

    func submitRemove(instance name: String, user: String, dryRun: Bool = false, key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run { try await self.once(key) { try await self.remove(instance: name, user: user, dryRun: dryRun, key: key) } }
    }

    func submitDecommission(host name: String, user: String, dryRun: Bool = false, key: IdempotencyKey? = nil) async throws -> Command {
        try await gate.run { try await self.once(key) { try await self.decommission(host: name, user: user, dryRun: dryRun, key: key) } }
    }

    /// Forgets a host that has no instances: stored first, then dropped from the topology.
    func forget(host name: String) async throws -> HostRecord {
        try await gate.run { try await self.doForget(host: name) }
    }

    /// A host joins (or a joined host's agent reports its facts again): what
    /// is known of it is stored, then it is part of the topology. A new host
    /// joins now; a known one keeps its join time and state.
    func join(_ record: HostRecord) async throws -> HostRecord {
        try await gate.run { try await self.doJoin(record) }
    }

    // MARK: inside the gate

    private func add(role: String, host: String, start: Bool, user: String, dryRun: Bool, key: IdempotencyKey?) async throws -> Command {
        let (draft, instance) = try await draftAdd(role: role, host: host, start: start, user: user)
        try checkFree(draft.services, host: instance.ref.host)
        if dryRun { return draft }
        return try await begin(draft, saving: [], placing: instance, key: key)
    }

    private func remove(instance name: String, user: String, dryRun: Bool, key: IdempotencyKey?) async throws -> Command {
        let ref = try await cluster.topology.instance(named: name)
        let draft = Command(kind: .removeInstance, clusterId: stack.cluster.id, target: ref.description, user: user,
                            services: [ref.service], steps: Planner.removeInstanceSteps(ref), createdAt: clock.now())
        try checkFree(draft.services, host: ref.host)
        if dryRun { return draft }
        return try await begin(draft, saving: [], key: key)
    }

    private func decommission(host name: String, user: String, dryRun: Bool, key: IdempotencyKey?) async throws -> Command {
        let topology = await cluster.topology
        let (host, instances) = try topology.checkDecommission(name)
        let services = Planner.startOrder(stack).filter { s in instances.contains { $0.service == s } }
        let steps = Planner.decommissionSteps(host: host.name, instances: instances, in: stack, topology: topology)
        let draft = Command(kind: .decommissionHost, clusterId: stack.cluster.id, target: host.name, user: user,
                            services: services, steps: steps, createdAt: clock.now())
        try checkFree(draft.services, host: host.name)
        if dryRun { return draft }
        return try await begin(draft, saving: [], key: key)
    }

    private func doForget(host name: String) async throws -> HostRecord {
        let host = try await cluster.topology.checkForget(name)
        try checkFree([], host: host.name)
        try await store.forgetHost(host.name, clusterId: stack.cluster.id)
        await cluster.forget(host.name)
        await notices.announce(.cluster)
        return host
    }

    private func doJoin(_ given: HostRecord) async throws -> HostRecord {
        let known = await cluster.topology
        var record = given
        if known.host(record.name) == nil { record.joinedAt = clock.now() }
        var topology = known
        topology.join(record)
        guard let merged = topology.host(record.name) else { return record }
        if merged != known.host(record.name) {
            try await store.saveHost(merged, clusterId: stack.cluster.id)
            await cluster.join(merged)
            await notices.announce(.cluster)
        }
        return merged
    }

    /// The add's command and the instance it places; the placement's checks
    /// throw before anything is stored.
    private func draftAdd(role: String, host: String, start: Bool, user: String) async throws -> (Command, PlacedInstance) {
        let topology = await cluster.topology
        let instance = try topology.checkAdd(role: role, host: host, in: stack)
        // Members of the same role list the new one in their templates: they are stale until restarted.
        let members = topology.placements(ofRole: instance.ref.role).map(\.ref)
        let steps = Planner.addInstanceSteps(instance, start: start, restale: members)
        let command = Command(kind: .addInstance, clusterId: stack.cluster.id, target: instance.ref.description, user: user,
                              services: [instance.ref.service], steps: steps, createdAt: clock.now())
        return (command, instance)
    }

    private func checkFree(_ services: [String], host: String) throws(StewardError) {
        if let id = hostLocks[host] {
            let what = active[id].map { "\($0.kind.rawValue) \($0.target)" } ?? "command"
            throw StewardError(.hostBusy, "Host '\(host)' is busy: command \(id) (\(what)) is placing or removing instances there. "
                               + "Wait for it to end; follow it at /web/v1/common/command/\(id)/progress.")
        }
        try checkFree(services)
    }

    /// Once a command has ended: the instances whose clean-up succeeded leave
    /// the topology (and their values the configuration); a decommission that
    /// completed marks its host. Stored first; a failed write is logged and
    /// leaves the instance placed, which a retry of the command settles.
    func settlePlacement(of command: Command) async {
        let removed = command.steps.flatMap(\.tasks).filter { $0.operation == .remove && $0.state == .succeeded }.map(\.instance)
        do {
            if !removed.isEmpty {
                try await store.removeInstances(removed, clusterId: command.clusterId)
                await cluster.remove(removed)
                await notices.announce(.cluster)
            }
            if command.kind == .decommissionHost, command.state == .complete,
               var host = await cluster.topology.host(command.target) {
                host.state = .decommissioned
                try await store.saveHost(host, clusterId: command.clusterId)
                await cluster.setState(.decommissioned, of: host.name)
                await notices.announce(.cluster)
            }
        } catch {
            logger.error("could not store the placement a command changed", metadata: [
                "command": "\(command.id)", "error": "\(error)",
            ])
        }
    }
}
