import StewardAPI

/// Plans commands into ordered steps, from the stack's service dependencies.
public enum Planner {
    /// Services in start order: every service after the ones it depends on,
    /// otherwise in stack order. The stack loader has rejected cycles.
    public static func startOrder(_ stack: Stack) -> [String] {
        var ordered: [String] = []
        var seen: Set<String> = []
        func visit(_ name: String) {
            guard !seen.contains(name), let service = stack.service(name) else { return }
            seen.insert(name)
            for dep in service.dependsOn { visit(dep) }
            ordered.append(name)
        }
        for service in stack.services { visit(service.name) }
        return ordered
    }

    /// The service and, transitively, the services it depends on.
    public static func dependencies(of name: String, in stack: Stack) -> Set<String> {
        var out: Set<String> = [name]
        var queue = [name]
        while let next = queue.popLast() {
            for dep in stack.service(next)?.dependsOn ?? [] where !out.contains(dep) {
                out.insert(dep)
                queue.append(dep)
            }
        }
        return out
    }

    /// The service and, transitively, the services that depend on it.
    public static func dependents(of name: String, in stack: Stack) -> Set<String> {
        var out: Set<String> = [name]
        var changed = true
        while changed {
            changed = false
            for service in stack.services where !out.contains(service.name) {
                if service.dependsOn.contains(where: out.contains) {
                    out.insert(service.name)
                    changed = true
                }
            }
        }
        return out
    }

    /// Plans start, stop or restart of a service.
    ///
    /// - start: with `onlySelf == false`, the services it depends on start first.
    /// - stop: with `onlySelf == false`, the services that depend on it stop first.
    /// - restart: stops, then starts, the service and (unless `onlySelf`) its
    ///   dependents, whose connections a restart would break.
    public static func plan(_ kind: CommandKind, service name: String, onlySelf: Bool, in stack: Stack,
                            topology: Topology) throws(StewardError) -> (services: [String], steps: [Step]) {
        guard stack.service(name) != nil else {
            throw StewardError(.serviceNotFound, "Service '\(name)' does not exist in the cluster.")
        }
        let order = startOrder(stack)
        let set: Set<String>
        switch kind {
        case .startService: set = onlySelf ? [name] : dependencies(of: name, in: stack)
        case .stopService, .restartService: set = onlySelf ? [name] : dependents(of: name, in: stack)
        case .saveConfiguration, .restartInstance, .addInstance, .removeInstance, .decommissionHost: set = []
        case .rollingRestart:
            throw StewardError(.invalidParameter, "A rolling restart is planned by RollingRestart.plan, from the running instances.")
        }
        let services = order.filter(set.contains)
        let instances = Set(topology.placed.map(\.ref).filter { set.contains($0.service) })
        var steps: [Step] = []
        if kind == .stopService || kind == .restartService {
            steps += operationSteps(.stop, instances: instances, services: services.reversed(), stack: stack, topology: topology)
        }
        if kind == .startService || kind == .restartService {
            steps += operationSteps(.start, instances: instances, services: services, stack: stack, topology: topology)
        }
        return (services, numbered(steps))
    }

    /// Steps that restart the given instances: stop in reverse dependency order,
    /// then start in dependency order.
    public static func restartSteps(of instances: Set<InstanceRef>, in stack: Stack, topology: Topology) -> [Step] {
        let order = startOrder(stack).filter { s in instances.contains { $0.service == s } }
        return numbered(operationSteps(.stop, instances: instances, services: order.reversed(), stack: stack, topology: topology)
            + operationSteps(.start, instances: instances, services: order, stack: stack, topology: topology))
    }

    /// The steps of a retry: each failed task again, in its original step
    /// order, nothing else.
    public static func retrySteps(of command: Command) -> [Step] {
        numbered(command.steps.compactMap { original in
            let failed = original.tasks.filter { $0.state == .failed }
            guard let first = failed.first else { return nil }
            // Described as planned (every role the failed tasks span), under the step's own name.
            let again = step(first.operation, failed.map(\.instance), of: first.instance.service, index: 0)
            return Step(index: 0, name: original.name, description: again.description + " (retry)", tasks: again.tasks)
        })
    }

    /// Names a step's description or a failure's text lists before it counts
    /// the rest: a step on 10,000 hosts would otherwise carry 10,000 names in
    /// every progress document, where the counts and the paged tasks say it better.
    public static let namesListed = 10

    /// "a, b, c", or past `namesListed`: "a, b, … j and 990 more hosts".
    public static func listing(_ names: [String], noun: String, separator: String = ", ") -> String {
        guard names.count > namesListed else { return names.joined(separator: separator) }
        return names.prefix(namesListed).joined(separator: separator) + " and \(names.count - namesListed) more \(noun)"
    }

    /// Renumbers steps after they were concatenated.
    public static func numbered(_ steps: [Step]) -> [Step] {
        steps.enumerated().map { i, s in
            var copy = Step(index: i, name: s.name, description: s.description, tasks: s.tasks)
            copy.state = s.state
            return copy
        }
    }

    /// One step per role: roles in stack order to start, in reverse to stop;
    /// or, for a service whose roles run in parallel, one step for all of them.
    static func operationSteps(_ op: Operation, instances: Set<InstanceRef>, services: [String], stack: Stack,
                               topology: Topology) -> [Step] {
        var steps: [Step] = []
        for serviceName in services {
            guard let service = stack.service(serviceName) else { continue }
            let roles = op == .stop ? service.roles.reversed() : service.roles
            let groups = service.roleOrder == .parallel ? [roles] : roles.map { [$0] }
            for group in groups {
                let targets = group.flatMap { role in
                    topology.placements(ofRole: role.name).map(\.ref).filter(instances.contains)
                }
                guard !targets.isEmpty else { continue }
                steps.append(step(op, targets, of: service.name, index: steps.count))
            }
        }
        return steps
    }

    static func step(_ op: Operation, _ targets: [InstanceRef], of service: String, index: Int) -> Step {
        var seenRoles: Set<String> = [], seenHosts: Set<String> = []
        let roles = targets.map(\.role).filter { seenRoles.insert($0).inserted }
        let hosts = targets.map(\.host).filter { seenHosts.insert($0).inserted }
        let name = roles.count == 1 ? "\(op.verb) \(roles[0])" : "\(op.verb) \(service) (\(roles.count) roles)"
        return Step(index: index, name: name,
                    description: "\(op.verb) \(roles.joined(separator: ", ")) of \(service) on \(listing(hosts, noun: "hosts"))",
                    tasks: targets.map { CommandTask(instance: $0, operation: op) })
    }
}
