/// Messages between agents and the manager on `/agent/v1`.
///
/// Agents dial out: they register, then hold a long poll open that the manager
/// answers the moment work for their host exists, post results, and heartbeat.
public enum AgentProtocol {
    public static let version = "1"
}

public struct InstanceReport: Codable, Sendable, Hashable {
    public var service: String
    public var role: String
    public var status: InstanceStatus
    public var health: HealthStatus
    public var pid: Int32?
    /// Digest of the configuration the running process was started with.
    public var configDigest: String?
    /// When the agent observed this (microseconds since the epoch): the manager
    /// keeps the newest report, whatever order heartbeats and results arrive in.
    public var observedAt: Int64

    public init(service: String, role: String, status: InstanceStatus, health: HealthStatus, pid: Int32?,
                configDigest: String?, observedAt: Int64) {
        self.observedAt = observedAt
        self.service = service
        self.role = role
        self.status = status
        self.health = health
        self.pid = pid
        self.configDigest = configDigest
    }
}

public struct AgentHello: Codable, Sendable {
    public var host: String
    public var agentVersion: String
    public var instances: [InstanceReport]
    /// Random per agent process. A new one on a host means the agent
    /// restarted, and the tasks its previous process held will never report.
    public var incarnation: String?
    /// The host's address as its agent was told (`--address`): shown as the
    /// host's `ip`, and the address templates and health checks use.
    public var address: String?
    /// What the host is: cores online, total memory, the OS's PRETTY_NAME.
    public var cores: Int?
    public var memoryMiB: Int?
    public var os: String?

    public init(host: String, agentVersion: String, instances: [InstanceReport], incarnation: String? = nil,
                address: String? = nil, cores: Int? = nil, memoryMiB: Int? = nil, os: String? = nil) {
        self.host = host
        self.agentVersion = agentVersion
        self.instances = instances
        self.incarnation = incarnation
        self.address = address
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.os = os
    }
}

public struct AgentWelcome: Codable, Sendable {
    public var heartbeatIntervalMs: Int
    public var pollTimeoutMs: Int
    /// How often the agent samples its host's metrics (sent with a heartbeat).
    public var metricsIntervalMs: Int
    /// The host's own credential, issued once, at its first join with the
    /// cluster's join token: the agent keeps it (0600) and sends it, with the
    /// `X-Steward-Host` header, instead of the join token from then on.
    public var credential: String?
    /// The host's first join awaits an admin's approval: the agent registers
    /// again later and gets no tasks meanwhile.
    public var pending: Bool
    /// How long the manager waits for a heartbeat before the host is lost:
    /// for the agent's logs and load tests; the interval is what it obeys.
    public var heartbeatTimeoutMs: Int?

    public init(heartbeatIntervalMs: Int, pollTimeoutMs: Int, metricsIntervalMs: Int, credential: String? = nil,
                pending: Bool = false, heartbeatTimeoutMs: Int? = nil) {
        self.heartbeatTimeoutMs = heartbeatTimeoutMs
        self.heartbeatIntervalMs = heartbeatIntervalMs
        self.pollTimeoutMs = pollTimeoutMs
        self.metricsIntervalMs = metricsIntervalMs
        self.credential = credential
        self.pending = pending
    }

    enum CodingKeys: String, CodingKey {
        case heartbeatIntervalMs, pollTimeoutMs, metricsIntervalMs, credential, pending, heartbeatTimeoutMs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        heartbeatIntervalMs = try c.decode(Int.self, forKey: .heartbeatIntervalMs)
        pollTimeoutMs = try c.decode(Int.self, forKey: .pollTimeoutMs)
        metricsIntervalMs = try c.decode(Int.self, forKey: .metricsIntervalMs)
        credential = try c.decodeIfPresent(String.self, forKey: .credential)
        pending = try c.decodeIfPresent(Bool.self, forKey: .pending) ?? false
        heartbeatTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatTimeoutMs)
    }
}

/// The header that names the host whose credential an agent presents.
public enum AgentHeaders {
    public static let host = "X-Steward-Host"
}

/// One sample of a host's metrics, by the names of the reference (`hm_cpu_used`, ...).
public struct HostSample: Codable, Sendable, Hashable {
    public var time: Millis
    public var values: [String: Double]

    public init(time: Millis, values: [String: Double]) {
        self.time = time
        self.values = values
    }

    /// The metrics agents collect, with their units.
    public static let names: [String: String] = [
        "hm_cpu_used": "percent of all cores busy",
        "hm_cpu_core_num": "cores",
        "hm_mem_total": "MiB",
        "hm_mem_used": "MiB (total less available)",
        "hm_mem_usage": "percent",
        "hm_disk_total": "GiB of the agent's data file system",
        "hm_disk_used": "GiB",
        "hm_disk_usage": "percent",
        "hm_net_read": "KiB/s received, all interfaces but loopback",
        "hm_net_write": "KiB/s sent, all interfaces but loopback",
    ]
}

/// A long poll. `received` acknowledges the tasks of the previous answer: a
/// task the manager handed out but that is not acknowledged (its answer went
/// to a connection that died) is delivered again. Agents never run a task
/// twice: a repeat is acknowledged, and answered with its result once it ended.
public struct AgentPoll: Codable, Sendable {
    public var host: String
    public var received: [Int64]

    public init(host: String, received: [Int64]) {
        self.host = host
        self.received = received
    }
}

public struct ConfigFileSpec: Sendable, Codable, Hashable {
    public enum Format: String, Sendable, Codable, Hashable, CaseIterable { case json, properties, template }
    /// A file name inside the instance's conf directory.
    public let name: String
    public let format: Format
    /// The Mustache text of a `template` file (the stack's `template`, or its
    /// `template_file` read by the loader); nil for the other formats.
    public let template: String?

    public init(name: String, format: Format, template: String? = nil) {
        self.name = name
        self.format = format
        self.template = template
    }
}

/// A task as an agent receives it: everything needed to run it without asking again.
public struct AgentTask: Codable, Sendable, Hashable {
    public var taskId: Int64
    public var commandId: Int64
    public var instance: InstanceRef
    public var operation: Operation
    public var process: ProcessSpec
    public var configuration: [String: String]
    public var configFiles: [ConfigFileSpec]
    public var configDigest: String
    public var timeoutSeconds: Int
    /// What the role's `template` config files see; nil for a role without one.
    public var context: TemplateContext?

    public init(taskId: Int64, commandId: Int64, instance: InstanceRef, operation: Operation, process: ProcessSpec,
                configuration: [String: String], configFiles: [ConfigFileSpec], configDigest: String, timeoutSeconds: Int,
                context: TemplateContext? = nil) {
        self.context = context
        self.taskId = taskId
        self.commandId = commandId
        self.instance = instance
        self.operation = operation
        self.process = process
        self.configuration = configuration
        self.configFiles = configFiles
        self.configDigest = configDigest
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct AgentWork: Codable, Sendable {
    public var tasks: [AgentTask]
    /// Tasks to abort: the agent stops their processes for real.
    public var abort: [Int64]

    public init(tasks: [AgentTask], abort: [Int64] = []) {
        self.tasks = tasks
        self.abort = abort
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tasks = try c.decode([AgentTask].self, forKey: .tasks)
        abort = try c.decodeIfPresent([Int64].self, forKey: .abort) ?? []
    }
}

public struct AgentTaskResult: Codable, Sendable {
    public var host: String
    public var taskId: Int64
    public var succeeded: Bool
    public var detail: String
    public var exitCode: Int32?
    public var outputTail: String
    public var instance: InstanceReport
    /// Why a task failed, when the agent knows better than "it failed"
    /// (14007 software missing, 14008 prepare failed); nil: the task's own failure.
    public var errorCode: Int?

    public init(host: String, taskId: Int64, succeeded: Bool, detail: String, exitCode: Int32?, outputTail: String, instance: InstanceReport,
                errorCode: Int? = nil) {
        self.errorCode = errorCode
        self.host = host
        self.taskId = taskId
        self.succeeded = succeeded
        self.detail = detail
        self.exitCode = exitCode
        self.outputTail = outputTail
        self.instance = instance
    }
}

/// The output of a running task so far, so that it can be read before the task ends.
public struct AgentTaskOutput: Codable, Sendable {
    public var host: String
    public var taskId: Int64
    public var outputTail: String

    public init(host: String, taskId: Int64, outputTail: String) {
        self.host = host
        self.taskId = taskId
        self.outputTail = outputTail
    }
}

public struct AgentHeartbeat: Codable, Sendable {
    public var host: String
    public var instances: [InstanceReport]
    public var metrics: HostSample?

    public init(host: String, instances: [InstanceReport], metrics: HostSample? = nil) {
        self.host = host
        self.instances = instances
        self.metrics = metrics
    }
}
