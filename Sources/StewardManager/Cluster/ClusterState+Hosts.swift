import StewardAPI
import StewardEngine

/// What an agent says of its host when it registers.
struct HostFacts: Sendable, Hashable {
    var address: String?
    var cores: Int?
    var memoryMiB: Int?
    var os: String?
}

/// Hosts' addresses and the topology templates see.
extension ClusterState {
    /// What an agent says of a host the cluster has, kept in its topology's
    /// record (in memory: `CommandCenter.join` stores it and comes here too).
    func recordHost(_ host: String, facts: HostFacts) {
        guard topology.host(host) != nil else { return }
        join(HostRecord(name: host, address: facts.address, cores: facts.cores, memoryMiB: facts.memoryMiB, os: facts.os,
                        joinedAt: 0))
    }

    func facts(of host: String) -> HostFacts? {
        topology.host(host).map { HostFacts(address: $0.address, cores: $0.cores, memoryMiB: $0.memoryMiB, os: $0.os) }
    }

    /// The address of a host as templates and the hosts list see it: what its
    /// agent reports (`--address`, kept with the topology, so known before it
    /// reports again), else the stack's, else the host's name.
    func address(of host: String) -> String {
        topology.host(host)?.address ?? stack.cluster.addresses[host] ?? host
    }

    /// Every placed instance with its host's address and its ordinal in its
    /// role: the stored topology, so that an added member appears in the
    /// templates listing its role (and their digests change: config_stale).
    func templateMembers() -> [TemplateMember] {
        topology.instances(in: stack).compactMap { ref in
            topology.placement(of: ref).map { TemplateMember(instance: ref, address: address(of: ref.host), ordinal: $0.ordinal) }
        }
    }

    /// What the instance's `template` config files see; nil for a role without one.
    /// `members` is `templateMembers()`, passed by a caller that asks for many
    /// instances so that the topology is walked once, not once per instance.
    func templateContext(for instance: InstanceRef, members: [TemplateMember]? = nil) -> TemplateContext? {
        guard stack.role(instance.role)?.1.hasTemplates == true else { return nil }
        return TemplateContextBuilder.build(for: instance, members: members ?? templateMembers(),
                                            configuration: configuration, stack: stack)
    }

    /// What the tasks for these instances carry: each one's effective values,
    /// template context and their digest, in one call from the dispatcher.
    func taskConfigurations(for instances: [InstanceRef]) -> [InstanceRef: TaskConfiguration] {
        var members: [TemplateMember]?
        var out: [InstanceRef: TaskConfiguration] = [:]
        for ref in instances where out[ref] == nil {
            let values = effective(for: ref)
            var context: TemplateContext?
            if stack.role(ref.role)?.1.hasTemplates == true {
                if members == nil { members = templateMembers() }
                context = templateContext(for: ref, members: members)
            }
            out[ref] = TaskConfiguration(values: values, context: context, digest: Self.digest(values, context: context))
        }
        return out
    }
}

/// An instance's configuration as a task carries it to the agent.
struct TaskConfiguration: Sendable {
    var values: [String: String]
    var context: TemplateContext?
    var digest: String
}
