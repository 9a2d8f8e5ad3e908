import StewardAPI

extension SaveConfigurationRequest {
    /// Flattens the nested levels into scoped values, checking names against the stack.
    public func changes(in stack: Stack, topology: Topology) throws(StewardError) -> [ConfigValue] {
        var out: [ConfigValue] = []
        func items(_ list: [Item]?, _ scope: ConfigScope) throws(StewardError) {
            for item in list ?? [] {
                guard let name = item.name, !name.isEmpty else {
                    throw StewardError(.invalidParameter, "Every configuration item needs a 'name' (at \(scope)).")
                }
                guard let value = item.value else {
                    throw StewardError(.invalidParameter, "Configuration item '\(name)' at \(scope) has no 'value'.")
                }
                out.append(ConfigValue(scope: scope, name: name, value: value))
            }
        }
        for component in configurationsSummary.components ?? [] {
            guard let serviceName = component.componentName, let service = stack.service(serviceName) else {
                throw StewardError(.serviceNotFound, "Service '\(component.componentName ?? "")' does not exist in the cluster.")
            }
            try items(component.configurations, .service(service.name))
            for roleLevel in component.children ?? [] {
                guard let roleName = roleLevel.roleName, let role = service.role(roleName) else {
                    throw StewardError(.roleNotFound, "Role '\(roleLevel.roleName ?? "")' does not exist in service '\(service.name)'.")
                }
                try items(roleLevel.configurations, .role(service: service.name, role: role.name))
                for instanceLevel in roleLevel.children ?? [] {
                    guard let host = instanceLevel.node?.hostName, !host.isEmpty else {
                        throw StewardError(.invalidParameter, "An instance of \(role.name) needs node.host_name.")
                    }
                    guard topology.host(host) != nil else {
                        throw StewardError(.hostNotFound, "Host '\(host)' does not exist in the cluster.")
                    }
                    guard topology.contains(InstanceRef(service: service.name, role: role.name, host: host)) else {
                        throw StewardError(.instanceNotFound, "Role '\(role.name)' has no instance on host '\(host)'.")
                    }
                    try items(instanceLevel.configurations,
                              .instance(InstanceRef(service: service.name, role: role.name, host: host)))
                }
            }
        }
        return out
    }
}
