import StewardAPI
import StewardEngine

/// The commands requests would create, planned but not stored: what a new
/// command starts from, and what a dry run shows.
extension CommandCenter {
    /// The command a request would create, not stored: for dry runs.
    nonisolated func draft(_ kind: CommandKind, service: String, onlySelf: Bool, user: String) throws(StewardError) -> Command {
        let (services, steps) = try Planner.plan(kind, service: service, onlySelf: onlySelf, in: stack)
        return Command(kind: kind, clusterId: stack.cluster.id, target: service, user: user,
                       services: services, steps: steps, createdAt: clock.now())
    }

    /// The command a configuration save would create, not stored: for dry runs too.
    func draftConfiguration(_ changes: [ConfigValue], restart: Bool, user: String, title: String? = nil) async -> Command {
        let before = await cluster.configuration
        var after = before
        for v in changes { after.set(v) }
        var restartSet: Set<InstanceRef> = []
        if restart {
            for ref in Configuration.affectedInstances(before: before, after: after, in: stack) {
                let lost = await agents.isLost(ref.host)
                if await cluster.status(of: ref, hostLost: lost).0 == .started { restartSet.insert(ref) }
            }
        }
        let services = Planner.startOrder(stack).filter { s in
            changes.contains { $0.scope.service == s } || restartSet.contains { $0.service == s }
        }
        let names = Set(changes.map(\.name)).sorted().joined(separator: ", ")
        let what = "\(changes.count) value(s) of \(services.joined(separator: ", ")): \(names)"
        let save = Step(index: 0, name: "Save configuration",
                        description: title.map { "\($0): restore \(what)" } ?? "Save \(what)", tasks: [])
        let steps = Planner.numbered([save] + Planner.restartSteps(of: restartSet, in: stack))
        return Command(kind: .saveConfiguration, clusterId: stack.cluster.id, target: services.joined(separator: ","),
                       user: user, services: services, steps: steps, createdAt: clock.now())
    }

    /// The version a save makes: the whole configuration it leaves, and what
    /// it changes from the configuration now (stored with the save, numbered by the store).
    func versionMade(saving changes: [ConfigValue], user: String, description: String) async -> ConfigVersion {
        let before = await cluster.configuration
        var after = before
        for v in changes { after.set(v) }
        let values = ConfigDiff.snapshot(after, in: stack)
        return ConfigVersion(number: 0, user: user, createdAt: clock.now(), commandId: nil, description: description,
                             values: values, changes: ConfigDiff.between(ConfigDiff.snapshot(before, in: stack), values))
    }
}
