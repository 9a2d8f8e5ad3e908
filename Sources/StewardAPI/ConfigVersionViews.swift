/// Configuration versions: `GET /web/v1/config/cluster/{cluster_id}/versions`,
/// `…/versions/{version}`, and the body of `…/versions/{version}/rollback`.
/// A PASSWORD value is never shown: it reads "******", and a change of one
/// says only that it changed.

/// One value of a version, where it is set: role and host are absent above their level.
public struct ConfigVersionValue: Codable, Sendable, Hashable {
    public var serviceName: String
    public var roleName: String?
    public var hostName: String?
    public var name: String
    public var value: String

    enum CodingKeys: String, CodingKey {
        case name, value
        case serviceName = "service_name"
        case roleName = "role_name"
        case hostName = "host_name"
    }

    public init(serviceName: String, roleName: String?, hostName: String?, name: String, value: String) {
        self.serviceName = serviceName
        self.roleName = roleName
        self.hostName = hostName
        self.name = name
        self.value = value
    }
}

/// A value that a version changed: `old_value` absent when it was not set
/// before, `new_value` absent when it no longer is; `secret` when it is a
/// PASSWORD (both then "******").
public struct ConfigVersionChange: Codable, Sendable, Hashable {
    public var serviceName: String
    public var roleName: String?
    public var hostName: String?
    public var name: String
    public var oldValue: String?
    public var newValue: String?
    public var secret: Bool

    enum CodingKeys: String, CodingKey {
        case name, secret
        case serviceName = "service_name"
        case roleName = "role_name"
        case hostName = "host_name"
        case oldValue = "old_value"
        case newValue = "new_value"
    }

    public init(serviceName: String, roleName: String?, hostName: String?, name: String, oldValue: String?,
                newValue: String?, secret: Bool) {
        self.serviceName = serviceName
        self.roleName = roleName
        self.hostName = hostName
        self.name = name
        self.oldValue = oldValue
        self.newValue = newValue
        self.secret = secret
    }
}

/// A version in the list: who made it, when, by which command, and what it changed.
public struct ConfigVersionSummary: Codable, Sendable, Hashable {
    public var version: Int
    public var user: String
    public var createTime: Millis
    /// The save (or rollback) that made it; absent for version 1, the values at the cluster's creation.
    public var commandId: Int64?
    public var description: String
    public var changes: [ConfigVersionChange]

    enum CodingKeys: String, CodingKey {
        case version, user, description, changes
        case createTime = "create_time"
        case commandId = "command_id"
    }

    public init(version: Int, user: String, createTime: Millis, commandId: Int64?, description: String,
                changes: [ConfigVersionChange]) {
        self.version = version
        self.user = user
        self.createTime = createTime
        self.commandId = commandId
        self.description = description
        self.changes = changes
    }
}

/// A page of versions, newest first, and how many there are.
public struct ConfigVersionList: Codable, Sendable {
    public var total: Int
    public var versions: [ConfigVersionSummary]

    public init(total: Int, versions: [ConfigVersionSummary]) {
        self.total = total
        self.versions = versions
    }
}

/// One version: the summary, and every value of the configuration it left.
public struct ConfigVersionDetail: Codable, Sendable {
    public var version: Int
    public var user: String
    public var createTime: Millis
    public var commandId: Int64?
    public var description: String
    /// What it changed from the version before.
    public var changes: [ConfigVersionChange]
    public var values: [ConfigVersionValue]

    enum CodingKeys: String, CodingKey {
        case version, user, description, changes, values
        case createTime = "create_time"
        case commandId = "command_id"
    }

    public init(summary: ConfigVersionSummary, values: [ConfigVersionValue]) {
        version = summary.version
        user = summary.user
        createTime = summary.createTime
        commandId = summary.commandId
        description = summary.description
        changes = summary.changes
        self.values = values
    }
}

/// Body of `POST …/versions/{version}/rollback`: restart the running
/// instances whose configuration the rollback changes (default false).
public struct RollbackRequest: Codable, Sendable {
    public var restartAffectedComponents: Bool?

    enum CodingKeys: String, CodingKey {
        case restartAffectedComponents = "restart_affected_components"
    }

    public init(restartAffectedComponents: Bool) {
        self.restartAffectedComponents = restartAffectedComponents
    }
}
