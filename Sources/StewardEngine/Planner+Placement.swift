import StewardAPI

/// The steps of the placement commands. The placement itself is stored with
/// the command (an add) or once its clean-up succeeded (a removal), by the
/// command center; these only say what the agents do.
extension Planner {
    /// ADD_INSTANCE: "Render configuration" (no agent task: the manager
    /// computes the new instance's configuration, and what members of its role
    /// now see, when the placement is stored; the start writes it on the host),
    /// then, unless `start` is false, "Start R@H".
    public static func addInstanceSteps(_ instance: PlacedInstance, start: Bool, restale: [InstanceRef]) -> [Step] {
        let ref = instance.ref
        let others = restale.filter { $0 != ref }.map(\.description)
        let note = others.isEmpty ? ""
            : "; templates that list \(ref.role) show the new member to \(listing(others, noun: "instances")) once restarted"
        var steps = [Step(index: 0, name: "Render configuration",
                          description: "Place \(ref.role) on \(ref.host) as member \(instance.ordinal) of \(ref.role)\(note)",
                          tasks: [])]
        if start {
            steps.append(Step(index: 1, name: "Start \(ref)", description: "Start \(ref.role) of \(ref.service) on \(ref.host)",
                              tasks: [CommandTask(instance: ref, operation: .start)]))
        }
        return numbered(steps)
    }

    /// REMOVE_INSTANCE: "Stop R@H", then "Clean up R@H" (the agent deletes the
    /// instance's directory).
    public static func removeInstanceSteps(_ ref: InstanceRef) -> [Step] {
        numbered([
            Step(index: 0, name: "Stop \(ref)", description: "Stop \(ref.role) of \(ref.service) on \(ref.host)",
                 tasks: [CommandTask(instance: ref, operation: .stop)]),
            Step(index: 1, name: "Clean up \(ref)", description: "Delete the directory of \(ref.role) on \(ref.host)",
                 tasks: [CommandTask(instance: ref, operation: .remove)]),
        ])
    }

    /// DECOMMISSION_HOST: the host's instances stopped (dependents first, as a
    /// service stop orders them), then all cleaned up, then the host marked.
    public static func decommissionSteps(host: String, instances: [InstanceRef], in stack: Stack, topology: Topology) -> [Step] {
        let set = Set(instances)
        let services = startOrder(stack).filter { s in set.contains { $0.service == s } }
        var steps = operationSteps(.stop, instances: set, services: services.reversed(), stack: stack, topology: topology)
        let ordered = topology.instances(in: stack).filter(set.contains)
        if !ordered.isEmpty {
            steps.append(Step(index: 0, name: "Clean up \(host)",
                              description: "Delete the directories of \(listing(ordered.map(\.description), noun: "instances"))",
                              tasks: ordered.map { CommandTask(instance: $0, operation: .remove) }))
        }
        steps.append(Step(index: 0, name: "Decommission \(host)",
                          description: "Mark \(host) DECOMMISSIONED: it takes no new instances", tasks: []))
        return numbered(steps)
    }
}
