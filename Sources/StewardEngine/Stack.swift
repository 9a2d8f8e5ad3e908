import StewardAPI

/// The domain view of a stack: what services are, how their roles run, what
/// they can be configured with. Loaded and validated by StewardStacks.
public struct Stack: Sendable, Codable, Hashable {
    public let name: String
    public let version: String
    public let description: String
    public let services: [ServiceDefinition]
    public let cluster: ClusterLayout

    public init(name: String, version: String, description: String, services: [ServiceDefinition], cluster: ClusterLayout) {
        self.name = name
        self.version = version
        self.description = description
        self.services = services
        self.cluster = cluster
    }

    public func service(_ name: String) -> ServiceDefinition? { services.first { $0.name == name } }

    public func role(_ name: String) -> (ServiceDefinition, RoleDefinition)? {
        for service in services {
            if let role = service.roles.first(where: { $0.name == name }) { return (service, role) }
        }
        return nil
    }

}

public struct ClusterLayout: Sendable, Codable, Hashable {
    public let id: Int
    public let name: String
    public let description: String
    public let hosts: [String]
    /// Host -> address, for hosts the stack gives one (`{"name": …, "address": …}`).
    public let addresses: [String: String]

    public init(id: Int, name: String, description: String, hosts: [String], addresses: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.description = description
        self.hosts = hosts
        self.addresses = addresses
    }
}

/// How a service's roles start and stop relative to one another.
public enum RoleOrder: String, Sendable, Codable, Hashable, CaseIterable {
    /// One role after another, in stack order (reversed to stop): for roles
    /// that need each other, such as a primary before its replicas.
    case sequential
    /// All roles in one step, their instances together: for roles that do not
    /// need each other, so that a large service starts in one round.
    case parallel
}

public struct ServiceDefinition: Sendable, Codable, Hashable {
    public let name: String
    public let description: String
    public let version: String
    /// Services that must run before this one starts (and stop after it).
    public let dependsOn: [String]
    public let configurations: [ParameterDefinition]
    public let roles: [RoleDefinition]
    public let roleOrder: RoleOrder

    public init(name: String, description: String, version: String, dependsOn: [String],
                configurations: [ParameterDefinition], roles: [RoleDefinition], roleOrder: RoleOrder = .sequential) {
        self.name = name
        self.description = description
        self.version = version
        self.dependsOn = dependsOn
        self.configurations = configurations
        self.roles = roles
        self.roleOrder = roleOrder
    }

    public func role(_ name: String) -> RoleDefinition? { roles.first { $0.name == name } }
}

public struct RoleDefinition: Sendable, Codable, Hashable {
    public let name: String
    public let description: String
    /// Hosts the role is first placed on, in order: the layout seeds the
    /// cluster's `Topology` when it is created; operators change it after.
    public let hosts: [String]
    public let process: ProcessSpec
    public let configurations: [ParameterDefinition]
    /// Per-instance values set when the cluster is created (host -> name -> value).
    public let instanceDefaults: [String: [String: String]]
    public let configFiles: [ConfigFileSpec]
    /// Whether the manager restarts an instance that fails, and how often; nil: never.
    public let restartOnFailure: RestartPolicy?

    /// The roles this role's templates name (`roles.<Role>`): the part of the
    /// cluster's topology its instances see, and whose change makes them stale.
    public var templateRoles: Set<String> {
        Set(configFiles.compactMap(\.template).flatMap(TemplateScan.roleNames(in:)))
    }

    public var hasTemplates: Bool { configFiles.contains { $0.format == .template } }

    public init(name: String, description: String, hosts: [String], process: ProcessSpec,
                configurations: [ParameterDefinition], instanceDefaults: [String: [String: String]],
                configFiles: [ConfigFileSpec], restartOnFailure: RestartPolicy? = nil) {
        self.restartOnFailure = restartOnFailure
        self.name = name
        self.description = description
        self.hosts = hosts
        self.process = process
        self.configurations = configurations
        self.instanceDefaults = instanceDefaults
        self.configFiles = configFiles
    }
}
