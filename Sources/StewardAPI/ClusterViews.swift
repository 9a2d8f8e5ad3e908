/// `res_obj` shapes of the cluster read endpoints.
public struct ClusterList: Codable, Sendable {
    public var clusters: [ClusterSummary]
    public init(clusters: [ClusterSummary]) { self.clusters = clusters }
}

public struct ClusterSummary: Codable, Sendable {
    public var stack: String
    public var id: Int
    public var name: String
    public var description: String
    public var version: String
    public var clusterState: String
    public var stackModel: String
    public var licState: String

    enum CodingKeys: String, CodingKey {
        case stack, id, name, description, version
        case clusterState = "cluster_state"
        case stackModel = "stack_model"
        case licState = "lic_state"
    }

    public init(stack: String, id: Int, name: String, description: String, version: String) {
        self.stack = stack
        self.id = id
        self.name = name
        self.description = description
        self.version = version
        clusterState = "Null"
        stackModel = "NoSec"
        licState = "Unlimited"
    }
}

public struct ClusterHealth: Codable, Sendable {
    public var state: HealthStatus
    public init(state: HealthStatus) { self.state = state }
}

/// `key_property` entries of a service summary; `type` is STATUS or TEXT.
public struct KeyProperties: Codable, Sendable {
    public var keyProperty: [Property]
    enum CodingKeys: String, CodingKey { case keyProperty = "key_property" }

    public struct Property: Codable, Sendable {
        public var name: String
        public var value: String
        public var type: String
        public init(name: String, value: String, type: String) {
            self.name = name
            self.value = value
            self.type = type
        }
    }

    public init(keyProperty: [Property]) { self.keyProperty = keyProperty }
}

public struct ServiceView: Codable, Sendable {
    public var name: String
    public var description: String
    public var version: String
    public var dependsOn: [String]
    public var operationalStatus: ServiceStatus
    public var healthStatus: HealthStatus
    public var runningCommand: Int64?
    public var roles: [String]

    enum CodingKeys: String, CodingKey {
        case name, description, version, roles
        case dependsOn = "depends_on"
        case operationalStatus = "operational_status"
        case healthStatus = "health_status"
        case runningCommand = "running_command"
    }

    public init(name: String, description: String, version: String, dependsOn: [String], operationalStatus: ServiceStatus,
                healthStatus: HealthStatus, runningCommand: Int64?, roles: [String]) {
        self.name = name
        self.description = description
        self.version = version
        self.dependsOn = dependsOn
        self.operationalStatus = operationalStatus
        self.healthStatus = healthStatus
        self.runningCommand = runningCommand
        self.roles = roles
    }
}

public struct ServiceList: Codable, Sendable {
    public var services: [ServiceView]
    public init(services: [ServiceView]) { self.services = services }
}

public struct HostView: Codable, Sendable {
    public var hostName: String
    public var status: HostStatus
    public var lastHeartbeat: Millis?
    public var agentVersion: String?
    public var instances: [String]
    /// Steward's addition: whether the host's agent has joined, awaits approval or was revoked.
    public var agentState: AgentCredentialState
    /// ACTIVE, or DECOMMISSIONED (its instances removed; it takes no new ones until forgotten).
    public var state: HostState
    /// When the host joined the cluster (the cluster's creation for the stack's layout hosts).
    public var joinedAt: Millis
    /// The host's address: what its agent reports (`--address`), else the stack's, else absent.
    public var ip: String?
    /// Cores online, total memory and OS, as the agent last reported them.
    public var cores: Int?
    public var memoryMib: Int?
    public var os: String?

    enum CodingKeys: String, CodingKey {
        case status, instances, state, ip, cores, os
        case hostName = "host_name"
        case lastHeartbeat = "last_heartbeat"
        case agentVersion = "agent_version"
        case agentState = "agent_state"
        case joinedAt = "joined_at"
        case memoryMib = "memory_mib"
    }

    public init(hostName: String, status: HostStatus, lastHeartbeat: Millis?, agentVersion: String?, instances: [String],
                agentState: AgentCredentialState = .none, state: HostState = .active, joinedAt: Millis = 0,
                ip: String? = nil, cores: Int? = nil, memoryMib: Int? = nil, os: String? = nil) {
        self.hostName = hostName
        self.status = status
        self.lastHeartbeat = lastHeartbeat
        self.agentVersion = agentVersion
        self.instances = instances
        self.agentState = agentState
        self.state = state
        self.joinedAt = joinedAt
        self.ip = ip
        self.cores = cores
        self.memoryMib = memoryMib
        self.os = os
    }
}

public struct HostList: Codable, Sendable {
    public var hosts: [HostView]
    public init(hosts: [HostView]) { self.hosts = hosts }
}

public struct InstanceView: Codable, Sendable {
    public var name: String
    public var serviceName: String
    public var roleName: String
    public var hostName: String
    public var operationalStatus: InstanceStatus
    public var healthStatus: HealthStatus
    public var pid: Int32?
    /// True when the saved configuration differs from the one the process runs with.
    public var configStale: Bool
    public var configurations: [String: String]
    /// The instance's number within its role: stable, never reused (a ZooKeeper member's `myid`).
    public var ordinal: Int?

    enum CodingKeys: String, CodingKey {
        case name, pid, configurations, ordinal
        case serviceName = "service_name"
        case roleName = "role_name"
        case hostName = "host_name"
        case operationalStatus = "operational_status"
        case healthStatus = "health_status"
        case configStale = "config_stale"
    }

    public init(name: String, serviceName: String, roleName: String, hostName: String, operationalStatus: InstanceStatus,
                healthStatus: HealthStatus, pid: Int32?, configStale: Bool, configurations: [String: String],
                ordinal: Int? = nil) {
        self.name = name
        self.serviceName = serviceName
        self.roleName = roleName
        self.hostName = hostName
        self.operationalStatus = operationalStatus
        self.healthStatus = healthStatus
        self.pid = pid
        self.configStale = configStale
        self.configurations = configurations
        self.ordinal = ordinal
    }
}

public struct InstanceList: Codable, Sendable {
    public var instances: [InstanceView]
    public init(instances: [InstanceView]) { self.instances = instances }
}

/// Parameter definitions and values of one service, per level.
public struct ServiceConfigurationView: Codable, Sendable {
    public var serviceName: String
    public var parameters: [ParameterView]

    enum CodingKeys: String, CodingKey {
        case parameters
        case serviceName = "service_name"
    }

    public struct ParameterView: Codable, Sendable {
        public var name: String
        public var level: String
        public var roleName: String?
        public var hostName: String?
        public var value: String
        public var defaultValue: String
        public var type: String
        public var description: String
        public var itemConf: String
        /// ENUM only: the values a save accepts, as data (`item_conf` is words for people).
        public var allowedValues: [String]?
        /// INT and PORT only: the bounds a save accepts, when there are any.
        public var min: Int?
        public var max: Int?

        enum CodingKeys: String, CodingKey {
            case name, level, value, type, description, min, max
            case roleName = "role_name"
            case hostName = "host_name"
            case defaultValue = "default_value"
            case itemConf = "item_conf"
            case allowedValues = "allowed_values"
        }

        public init(name: String, level: String, roleName: String?, hostName: String?, value: String,
                    defaultValue: String, type: String, description: String, itemConf: String,
                    allowedValues: [String]? = nil, min: Int? = nil, max: Int? = nil) {
            self.name = name
            self.level = level
            self.roleName = roleName
            self.hostName = hostName
            self.value = value
            self.defaultValue = defaultValue
            self.type = type
            self.description = description
            self.itemConf = itemConf
            self.allowedValues = allowedValues
            self.min = min
            self.max = max
        }
    }

    public init(serviceName: String, parameters: [ParameterView]) {
        self.serviceName = serviceName
        self.parameters = parameters
    }
}

/// One rejected value of a configuration change, with where it was set.
public struct ConfigurationProblem: Sendable, Hashable, Codable {
    public let serviceName: String
    public let roleName: String?
    public let hostName: String?
    public let name: String
    public let message: String

    enum CodingKeys: String, CodingKey {
        case name, message
        case serviceName = "service_name"
        case roleName = "role_name"
        case hostName = "host_name"
    }

    public init(serviceName: String, roleName: String?, hostName: String?, name: String, message: String) {
        self.serviceName = serviceName
        self.roleName = roleName
        self.hostName = hostName
        self.name = name
        self.message = message
    }
}

/// `res_obj` of a rejected configuration.
public struct ConfigurationProblems: Sendable, Codable {
    public let problems: [ConfigurationProblem]
    public init(problems: [ConfigurationProblem]) { self.problems = problems }
}

/// `res_obj` of `GET /web/v1/monitor/metrics_info`: points by metric name.
public struct MetricDatas: Codable, Sendable {
    public struct Point: Codable, Sendable, Hashable {
        public let time: Millis
        /// The reference types a value as STRING.
        public let value: String
        public let node: String

        public init(time: Millis, value: String, node: String) {
            self.time = time
            self.value = value
            self.node = node
        }
    }

    public let metricDatas: [String: [Point]]
    enum CodingKeys: String, CodingKey { case metricDatas = "metric_datas" }
    public init(metricDatas: [String: [Point]]) { self.metricDatas = metricDatas }
}
