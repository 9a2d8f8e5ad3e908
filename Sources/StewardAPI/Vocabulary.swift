/// The words of the `/web/v1` and `/agent/v1` wire: identities, kinds and
/// states, as enums whose raw values are what the wire carries.

/// Milliseconds since the Unix epoch.
public typealias Millis = Int64

/// Identity of one role instance: a role placed on a host.
public struct InstanceRef: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let service: String
    public let role: String
    public let host: String

    public init(service: String, role: String, host: String) {
        self.service = service
        self.role = role
        self.host = host
    }

    /// The wire name of an instance, e.g. `GatewayServer@host-2`.
    public var description: String { "\(role)@\(host)" }

    public static func < (a: InstanceRef, b: InstanceRef) -> Bool {
        (a.service, a.role, a.host) < (b.service, b.role, b.host)
    }
}

/// What a task does to an instance. The wire names are the reference's `operation_type`.
public enum Operation: String, Sendable, Codable, Hashable, CaseIterable {
    case start = "START"
    case stop = "STOP"
    /// Stops the instance if it runs, then deletes its directory on the host:
    /// the last task of an instance taken off its host.
    case remove = "REMOVE"
    /// Stop, then start, and answer once the instance is healthy again (or failed): one task, so
    /// that a rolling restart's batch is never without the instance for longer than its own restart.
    case restart = "RESTART"

    public var verb: String {
        switch self {
        case .start: "Start"
        case .stop: "Stop"
        case .remove: "Clean up"
        case .restart: "Restart"
        }
    }
}

public enum CommandKind: String, Sendable, Codable, Hashable, CaseIterable {
    case startService = "START_SERVICE"
    case stopService = "STOP_SERVICE"
    case restartService = "RESTART_SERVICE"
    case saveConfiguration = "SAVE_CONFIGURATION"
    /// Places a role on a host (and starts it unless asked not to).
    case addInstance = "ADD_INSTANCE"
    /// Stops an instance and deletes it from its host and the topology.
    case removeInstance = "REMOVE_INSTANCE"
    /// Stops and removes every instance of a host, then marks it DECOMMISSIONED.
    case decommissionHost = "DECOMMISSION_HOST"
    /// The manager's own restart of an instance that failed, for a role with
    /// `restart_on_failure`; its user is "system".
    case restartInstance = "RESTART_INSTANCE"
    /// A service's running instances restarted batch by batch (`RollingRestart`).
    case rollingRestart = "ROLLING_RESTART"

    /// Only start/stop/restart report failed entities (reference: fail_entity_list).
    public var reportsFailedEntities: Bool { self != .saveConfiguration }
}

/// States on the wire: `IN_PROGRESS`, then `COMPLETE` or `FAILED`.
public enum CommandState: String, Sendable, Codable, Hashable, CaseIterable {
    case inProgress = "IN_PROGRESS"
    case complete = "COMPLETE"
    case failed = "FAILED"

    public var isTerminal: Bool { self != .inProgress }
}

/// The state of a step or of a task: both run the same course on the wire.
public enum ExecutionState: String, Sendable, Codable, Hashable, CaseIterable {
    case pending = "PENDING"
    case running = "RUNNING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case skipped = "SKIPPED"

    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .skipped: true
        case .pending, .running: false
        }
    }
}

/// Observed state of a role instance, reported by its host's agent.
public enum InstanceStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case started = "STARTED"
    case stopped = "STOPPED"
    case unknown = "UNKNOWN"
}

public enum HealthStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case good = "GOOD"
    case bad = "BAD"
    case unknown = "UNKNOWN"
}

/// A service's running status: its instances' taken together.
public enum ServiceStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case started = "STARTED"
    case stopped = "STOPPED"
    case partiallyStarted = "PARTIALLY_STARTED"
    case unknown = "UNKNOWN"
}

/// Where a host stands in the cluster: ACTIVE takes instances; DECOMMISSIONED
/// had them all removed and takes no new ones until it is forgotten.
public enum HostState: String, Sendable, Codable, Hashable, CaseIterable {
    case active = "ACTIVE"
    case decommissioned = "DECOMMISSIONED"
}

/// Whether a host's agent is heard from.
public enum HostStatus: String, Sendable, Codable, Hashable, CaseIterable {
    case connected = "CONNECTED"
    case lost = "LOST"
}
