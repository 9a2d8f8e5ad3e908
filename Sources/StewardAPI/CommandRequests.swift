/// Body of `POST .../service/{service_name}/start|stop|restart`.
public struct ServiceActionRequest: Codable, Sendable {
    /// Secondary authentication in the reference; accepted and ignored (never logged).
    public var userPassword: String?
    public var onlySelf: Bool?

    enum CodingKeys: String, CodingKey {
        case userPassword = "user_password"
        case onlySelf = "only_self"
    }

    public init(onlySelf: Bool? = nil) {
        self.onlySelf = onlySelf
    }
}

/// Body of `POST /web/v1/maintain/cluster/{cluster_id}/instances`: place a
/// role on a host, and start it unless `start` is false.
public struct AddInstanceRequest: Codable, Sendable, Equatable {
    public var role: String
    public var host: String
    /// Default true.
    public var start: Bool?

    public init(role: String, host: String, start: Bool? = nil) {
        self.role = role
        self.host = host
        self.start = start
    }
}

/// Body of `POST /web/v1/config/cluster/{cluster_id}/save`, as in the reference.
/// Only the fields that carry the change are read; the rest is accepted and ignored.
public struct SaveConfigurationRequest: Codable, Sendable {
    public var id: Int64?
    public var userPassword: String?
    public var configurationsSummary: Summary

    enum CodingKeys: String, CodingKey {
        case id
        case userPassword = "user_password"
        case configurationsSummary = "configurations_summary"
    }

    public init(restartAffectedComponents: Bool, components: [Component]) {
        configurationsSummary = Summary(restartAffectedComponents: restartAffectedComponents, components: components)
    }

    public struct Summary: Codable, Sendable {
        public var restartAffectedComponents: Bool?
        public var components: [Component]?

        enum CodingKeys: String, CodingKey {
            case restartAffectedComponents = "restart_affected_components"
            case components
        }
    }

    public struct Component: Codable, Sendable {
        public var componentName: String?
        public var configurations: [Item]?
        public var children: [RoleLevel]?

        enum CodingKeys: String, CodingKey {
            case componentName = "component_name"
            case configurations, children
        }

        public init(componentName: String, configurations: [Item] = [], children: [RoleLevel] = []) {
            self.componentName = componentName
            self.configurations = configurations
            self.children = children
        }
    }

    public struct RoleLevel: Codable, Sendable {
        public var roleName: String?
        public var configurations: [Item]?
        public var children: [InstanceLevel]?

        enum CodingKeys: String, CodingKey {
            case roleName = "role_name"
            case configurations, children
        }

        public init(roleName: String, configurations: [Item] = [], children: [InstanceLevel] = []) {
            self.roleName = roleName
            self.configurations = configurations
            self.children = children
        }
    }

    public struct InstanceLevel: Codable, Sendable {
        public var node: Node?
        public var configurations: [Item]?

        public init(hostName: String, configurations: [Item]) {
            self.node = Node(hostName: hostName)
            self.configurations = configurations
        }
    }

    public struct Node: Codable, Sendable {
        public var hostName: String?
        enum CodingKeys: String, CodingKey { case hostName = "host_name" }
        public init(hostName: String) { self.hostName = hostName }
    }

    public struct Item: Codable, Sendable {
        public var name: String?
        public var value: String?

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        // Scripts send numbers and booleans unquoted; the reference types `value` as STRING.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            if let s = try? c.decodeIfPresent(String.self, forKey: .value) {
                value = s
            } else if let i = try? c.decodeIfPresent(Int64.self, forKey: .value) {
                value = String(i)
            } else if let b = try? c.decodeIfPresent(Bool.self, forKey: .value) {
                value = b ? "true" : "false"
            } else if c.contains(.value), try c.decodeNil(forKey: .value) {
                value = nil
            } else if c.contains(.value) {
                throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "value must be a string")
            } else {
                value = nil
            }
        }
    }
}

/// Body of `POST .../service/{service_name}/rolling_restart`: every field
/// optional, with the defaults of `RollingPolicy` (batch 1, no pause, no failure tolerated).
public struct RollingRestartRequest: Codable, Sendable {
    /// Secondary authentication in the reference's style; accepted and ignored (never logged).
    public var userPassword: String?
    public var batchSize: Int?
    public var pauseSeconds: Int?
    public var failureTolerance: Int?

    enum CodingKeys: String, CodingKey {
        case userPassword = "user_password"
        case batchSize = "batch_size"
        case pauseSeconds = "pause_seconds"
        case failureTolerance = "failure_tolerance"
    }

    public init(batchSize: Int? = nil, pauseSeconds: Int? = nil, failureTolerance: Int? = nil) {
        self.batchSize = batchSize
        self.pauseSeconds = pauseSeconds
        self.failureTolerance = failureTolerance
    }
}
