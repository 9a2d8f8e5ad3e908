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
    func recordHost(_ host: String, facts: HostFacts) {
        guard stack.cluster.hosts.contains(host) else { return }
        setFacts(facts, of: host)
    }

    func facts(of host: String) -> HostFacts? { hostFacts[host] }

    /// The address of a host as templates and the hosts list see it: what its
    /// agent reports (`--address`), else the stack's, else the host's name.
    func address(of host: String) -> String {
        hostFacts[host]?.address ?? stack.cluster.addresses[host] ?? host
    }

    /// Every instance with its host's address and its ordinal in its role.
    ///
    /// The one seam that says where members come from: the stack's placement
    /// today (ordinal = 1 + the host's index in `role.hosts`); the stored
    /// placement once hosts and instances are added at run time.
    func templateMembers() -> [TemplateMember] {
        stack.services.flatMap { service in
            service.roles.flatMap { role in
                role.hosts.enumerated().map { index, host in
                    TemplateMember(instance: InstanceRef(service: service.name, role: role.name, host: host),
                                   address: address(of: host), ordinal: index + 1)
                }
            }
        }
    }

    /// What the instance's `template` config files see; nil for a role without one.
    func templateContext(for instance: InstanceRef) -> TemplateContext? {
        guard stack.role(instance.role)?.1.hasTemplates == true else { return nil }
        return TemplateContextBuilder.build(for: instance, members: templateMembers(), configuration: configuration,
                                            stack: stack)
    }
}
