import StewardAPI
import StewardEngine

/// A small stack mirroring the bundled demo: Coordinator <- Storage <- Gateway.
enum TestStack {
    static let hosts = ["host-1", "host-2", "host-3"]

    static func process() -> ProcessSpec {
        ProcessSpec(start: ["{steward}", "role"], check: .http(portParameter: "port", path: "/health"),
                    startTimeoutSeconds: 30, stopTimeoutSeconds: 10)
    }

    static func roleParams(port: String) -> [ParameterDefinition] {
        [
            ParameterDefinition(name: "port", type: .port, defaultValue: port, description: "Port."),
            ParameterDefinition(name: "startup_delay_ms", type: .int, defaultValue: "0", description: "Delay.",
                                min: 0, max: 600_000),
        ]
    }

    static func role(_ name: String, hosts: [String], port: String) -> RoleDefinition {
        RoleDefinition(name: name, description: "\(name) role", hosts: hosts, process: process(),
                       configurations: roleParams(port: port), instanceDefaults: [:], configFiles: [])
    }

    static let stack = Stack(
        name: "demo", version: "1.0", description: "test stack",
        services: [
            ServiceDefinition(
                name: "Coordinator", description: "coordination", version: "1.0", dependsOn: [],
                configurations: [
                    ParameterDefinition(name: "log_level", type: .enumeration, defaultValue: "INFO", description: "Log level.",
                                        allowed: ["DEBUG", "INFO", "WARN", "ERROR"]),
                    ParameterDefinition(name: "session_timeout_ms", type: .int, defaultValue: "30000",
                                        description: "Session timeout.", min: 1000, max: 600_000),
                ],
                roles: [role("CoordinatorServer", hosts: hosts, port: "21100")]),
            ServiceDefinition(
                name: "Storage", description: "storage", version: "1.0", dependsOn: ["Coordinator"],
                configurations: [
                    ParameterDefinition(name: "replication", type: .int, defaultValue: "3", description: "Copies.",
                                        min: 1, max: 3),
                ],
                roles: [
                    role("StorageMaster", hosts: ["host-1"], port: "21200"),
                    role("StorageNode", hosts: hosts, port: "21210"),
                ]),
            ServiceDefinition(
                name: "Gateway", description: "gateway", version: "1.0", dependsOn: ["Storage"],
                configurations: [
                    ParameterDefinition(name: "max_connections", type: .int, defaultValue: "256",
                                        description: "Connections.", min: 1, max: 65536),
                ],
                roles: [role("GatewayServer", hosts: ["host-2", "host-3"], port: "21300")]),
        ],
        cluster: ClusterLayout(id: 1, name: "demo", description: "test cluster", hosts: hosts))

    static func ref(_ role: String, _ host: String) -> InstanceRef {
        guard let (service, _) = stack.role(role) else { fatalError("unknown role \(role)") }
        return InstanceRef(service: service.name, role: role, host: host)
    }
}

/// Gives every task a distinct id (1, 2, ...), as the store does on insert.
func withTaskIDs(_ steps: [Step], from first: Int64 = 1) -> [Step] {
    var next = first
    var out = steps
    for s in out.indices {
        for t in out[s].tasks.indices {
            out[s].tasks[t].id = next
            next += 1
        }
    }
    return out
}

/// A command planned on the test stack, with task ids assigned.
func plannedCommand(_ kind: CommandKind, service: String, onlySelf: Bool = false,
                    id: Int64 = 7, createdAt: Millis = 1_000) throws -> Command {
    let (services, steps) = try Planner.plan(kind, service: service, onlySelf: onlySelf, in: TestStack.stack, topology: TestStack.stack.layout)
    return Command(id: id, kind: kind, clusterId: TestStack.stack.cluster.id, target: service, user: "admin",
                   services: services, steps: withTaskIDs(steps), createdAt: createdAt)
}

/// A configuration-save command: one zero-task step, then optional restart steps.
func saveCommand(restarting instances: Set<InstanceRef> = [], createdAt: Millis = 1_000) -> Command {
    let save = Step(index: 0, name: "Save configuration", description: "Save values", tasks: [])
    let steps = Planner.numbered([save] + Planner.restartSteps(of: instances, in: TestStack.stack, topology: TestStack.stack.layout))
    let services = Planner.startOrder(TestStack.stack).filter { s in instances.contains { $0.service == s } }
    return Command(id: 9, kind: .saveConfiguration, clusterId: 1, target: services.joined(separator: ","),
                   user: "admin", services: services, steps: withTaskIDs(steps), createdAt: createdAt)
}

extension Command {
    /// The ids of the tasks currently running, in step order.
    var runningIDs: [Int64] { runningTasks.map(\.id) }

    /// Completes every running task successfully; returns the merged change.
    mutating func succeedRunning(now: Millis) -> [CommandChange] {
        runningIDs.map { complete(taskID: $0, outcome: TaskOutcome(succeeded: true), now: now) }
    }
}
