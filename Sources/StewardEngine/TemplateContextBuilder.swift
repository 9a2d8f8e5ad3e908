import StewardAPI

/// Where an instance is, as templates see it: its host, the host's address
/// and its ordinal within its role. `ClusterState.templateMembers()` says
/// where these come from (the stack's placement today).
public struct TemplateMember: Sendable, Hashable {
    public let instance: InstanceRef
    public let address: String
    public let ordinal: Int

    public init(instance: InstanceRef, address: String, ordinal: Int) {
        self.instance = instance
        self.address = address
        self.ordinal = ordinal
    }
}

/// Builds what an instance's templates see, from the members of the cluster,
/// the saved configuration and the stack. Pure: the same inputs always give
/// the same context, which is what the configuration digest relies on.
public enum TemplateContextBuilder {
    /// Nil when the instance is not among `members` or its role has no template.
    public static func build(for instance: InstanceRef, members: [TemplateMember], configuration: Configuration,
                             stack: Stack) -> TemplateContext? {
        guard let (_, role) = stack.role(instance.role), role.hasTemplates,
              let me = members.first(where: { $0.instance == instance }) else { return nil }
        var roles: [String: [TemplateContext.Member]] = [:]
        for name in role.templateRoles where stack.role(name) != nil {
            roles[name] = members.filter { $0.instance.role == name }.sorted { $0.ordinal < $1.ordinal }.map {
                TemplateContext.Member(host: $0.instance.host, address: $0.address, ordinal: $0.ordinal,
                                       values: configuration.effective(for: $0.instance, in: stack))
            }
        }
        return TemplateContext(
            instance: .init(service: instance.service, role: instance.role, host: instance.host, address: me.address,
                            ordinal: me.ordinal),
            host: .init(name: instance.host, address: me.address),
            cluster: .init(id: stack.cluster.id, name: stack.cluster.name),
            values: configuration.effective(for: instance, in: stack), roles: roles)
    }
}

/// What a template names, read without parsing it: `roles.<Name>` anywhere
/// in a tag. Over-reading (a name in plain text) only widens what makes an
/// instance stale; it never hides a member from a template.
public enum TemplateScan {
    public static func roleNames(in template: String) -> [String] {
        var names: [String] = []
        var rest = Substring(template)
        while let range = rest.range(of: "roles.") {
            let tail = rest[range.upperBound...]
            let name = tail.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            if !name.isEmpty { names.append(String(name)) }
            rest = tail
        }
        return names
    }
}
