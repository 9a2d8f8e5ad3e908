import Foundation
import StewardAPI
import StewardEngine
@testable import StewardManager

/// One representative value of a wire type, and where the document describes
/// it: an operation's request body, or its response for a status.
struct WireSample {
    enum Part: Hashable, CustomStringConvertible {
        case request
        case response(String)

        var description: String {
            switch self {
            case .request: "request body"
            case .response(let status): "response \(status)"
            }
        }
    }

    /// "METHOD /path" as the document spells it.
    let operation: String
    let part: Part
    /// What goes on the wire, encoded as the manager encodes it (`WireJSON`).
    let wire: Data
    /// The part of it that must have every optional set and every list
    /// non-empty, so that the schema check sees every field the type has;
    /// nil for an envelope without `res_obj`, whose fields are never optional.
    let full: Any?
    /// Documented properties this sample rightly lacks (e.g. `res_obj` of a
    /// command's acceptance, which has none).
    var mayLack: Set<String> = []

    var label: String { "\(operation) \(part)" }
}

/// Every request and response type of `/web/v1`, with every field set. A
/// new field, a renamed one or a new endpoint needs a line here and in the
/// document, or the contract test fails.
enum WireSamples {
    static let time: Millis = 1_700_000_000_000
    static let gateway = InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-1")

    static func ok<T: Codable & Sendable>(_ operation: String, _ result: T) -> WireSample {
        WireSample(operation: operation, part: .response("200"), wire: WireJSON.envelope(Envelope(resObj: result)), full: result)
    }

    static func request<T: Encodable>(_ operation: String, _ body: T) -> WireSample {
        WireSample(operation: operation, part: .request, wire: WireJSON.encode(body), full: body)
    }

    /// A command's acceptance: the envelope alone, with the command's id and state.
    static func accepted(_ operation: String) -> WireSample {
        let envelope = Envelope<NoResult>(id: 7, state: .inProgress, errorCode: 0, errorDescription: "", totalProgress: 0)
        return WireSample(operation: operation, part: .response("200"), wire: WireJSON.envelope(envelope), full: nil,
                          mayLack: ["res_obj"])
    }

    /// A failed START command with one step and one task, every time set.
    static var command: Command {
        var task = CommandTask(id: 11, instance: gateway, operation: .start)
        task.state = .failed
        task.errorCode = .taskFailed
        task.detail = "exited with status 1"
        task.exitCode = 1
        task.outputTail = "port 21101 is already in use"
        task.startedAt = time
        task.endedAt = time + 900
        var step = Step(index: 0, name: "Start GatewayServer", description: "Start GatewayServer on host-1", tasks: [task])
        step.state = .failed
        step.startedAt = time
        step.endedAt = time + 900
        var command = Command(id: 7, kind: .startService, clusterId: 1, target: "Gateway", user: "admin",
                              services: ["Gateway"], steps: [step], createdAt: time)
        command.state = .failed
        command.errorCode = .taskFailed
        command.errorDescription = "Start GatewayServer failed."
        command.endedAt = time + 1000
        return command
    }

    static var all: [WireSample] { reads + commands + versions + access + agents + agentCredentials }

    static var versions: [WireSample] {
        let change = ConfigVersionChange(serviceName: "Gateway", roleName: "GatewayServer", hostName: "host-1", name: "port",
                                         oldValue: "21300", newValue: "21301", secret: false)
        let summary = ConfigVersionSummary(version: 2, user: "admin", createTime: time, commandId: 7,
                                           description: "Save 1 value(s) of Gateway: port", changes: [change])
        let value = ConfigVersionValue(serviceName: "Gateway", roleName: "GatewayServer", hostName: "host-1", name: "port", value: "21301")
        let rollback = "POST /web/v1/config/cluster/{cluster_id}/versions/{version}/rollback"
        return [
            ok("GET /web/v1/config/cluster/{cluster_id}/versions", ConfigVersionList(total: 2, versions: [summary])),
            ok("GET /web/v1/config/cluster/{cluster_id}/versions/{version}", ConfigVersionDetail(summary: summary, values: [value])),
            request(rollback, RollbackRequest(restartAffectedComponents: true)),
            accepted(rollback),
        ]
    }

    static var reads: [WireSample] {
        let parameter = ServiceConfigurationView.ParameterView(
            name: "gateway.port", level: "INSTANCE", roleName: "GatewayServer", hostName: "host-1", value: "21101",
            defaultValue: "21100", type: "INT", description: "The port.", itemConf: "{\"min\":1024,\"max\":65535}",
            allowedValues: ["21101"], min: 1024, max: 65535)
        let metrics = MetricDatas(metricDatas: ["hm_cpu_used": [.init(time: time, value: "12", node: "host-1")]])
        return [
            WireSample(operation: "GET /web/v1/ping", part: .response("200"), wire: WireJSON.envelope(Envelope<NoResult>()),
                       full: nil, mayLack: ["res_obj"]),
            ok("GET /web/v1/clusters", ClusterList(clusters: [
                ClusterSummary(stack: "demo 1.0", id: 1, name: "demo", description: "The demo.", version: "1.0")])),
            ok("GET /web/v1/cluster/{cluster_id}/status", ClusterHealth(state: .good)),
            ok("GET /web/v1/cluster/{cluster_id}/services", ServiceList(services: [ServiceView(
                name: "Gateway", description: "The gateway.", version: "1.0", dependsOn: ["Storage"],
                operationalStatus: .started, healthStatus: .good, runningCommand: 7, roles: ["GatewayServer"])])),
            ok("GET /web/v1/cluster/{cluster_id}/services/{service_name}",
               KeyProperties(keyProperty: [.init(name: "Running Status", value: "STARTED", type: "STATUS")])),
            ok("GET /web/v1/cluster/{cluster_id}/services/{service_name}/configurations",
               ServiceConfigurationView(serviceName: "Gateway", parameters: [parameter])),
            ok("GET /web/v1/cluster/{cluster_id}/hosts", HostList(hosts: [HostView(
                hostName: "host-1", status: .connected, lastHeartbeat: time, agentVersion: "0.1.0",
                instances: ["GatewayServer@host-1"], agentState: .active, state: .active, joinedAt: time, ip: "127.0.1.1",
                cores: 2, memoryMib: 24105, os: "Debian GNU/Linux 12 (bookworm)")])),
            ok("GET /web/v1/cluster/{cluster_id}/instances", InstanceList(instances: [InstanceView(
                name: "GatewayServer@host-1", serviceName: "Gateway", roleName: "GatewayServer", hostName: "host-1",
                operationalStatus: .started, healthStatus: .good, pid: 4242, configStale: true,
                configurations: ["gateway.port": "21101"], ordinal: 1)])),
            ok("GET /web/v1/monitor/metrics_info", metrics),
        ]
    }

    static var commands: [WireSample] {
        let item = SaveConfigurationRequest.Item(name: "gateway.port", value: "21101")
        var save = SaveConfigurationRequest(restartAffectedComponents: true, components: [
            .init(componentName: "Gateway", configurations: [item], children: [
                .init(roleName: "GatewayServer", configurations: [item], children: [
                    .init(hostName: "host-1", configurations: [item])])])])
        save.id = 1
        save.userPassword = "ignored"
        var action = ServiceActionRequest(onlySelf: false)
        action.userPassword = "ignored"
        let summary = CommandSummary(
            id: 7, kind: .startService, target: "Gateway", services: ["Gateway"], user: "admin", state: .failed,
            errorCode: 14001, errorDescription: "Start GatewayServer failed.", totalProgress: 40, totalStepSize: 1,
            createTime: time, endTime: time + 1000)
        let output = TaskOutputView(taskId: 11, commandId: 7, instance: "GatewayServer@host-1", operation: .start,
                                    state: .failed, exitCode: 1, detail: "exited with status 1", output: "port in use",
                                    startTime: time, endTime: time + 900)
        let start = "POST /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/start"
        var samples = ["start", "stop", "restart"].flatMap { verb in
            let op = "POST /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/\(verb)"
            return [request(op, action), accepted(op)]
        }
        let rolling = "POST /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/rolling_restart"
        var rollingBody = RollingRestartRequest(batchSize: 2, pauseSeconds: 5, failureTolerance: 1)
        rollingBody.userPassword = "ignored"
        samples += [request(rolling, rollingBody), accepted(rolling)]
        samples += [
            // A dry run answers the plan in place of the command's id.
            WireSample(operation: start, part: .response("200"), wire: WireJSON.envelope(Envelope(resObj: ProgressDocument(command))),
                       full: ProgressDocument(command)),
            request("POST /web/v1/config/cluster/{cluster_id}/save", save),
            accepted("POST /web/v1/config/cluster/{cluster_id}/save"),
            WireSample(operation: "GET /web/v1/common/command/{command_id}/progress", part: .response("200"),
                       wire: WireJSON.envelope(Envelope(progressOf: command)), full: ProgressDocument(command)),
            accepted("POST /web/v1/common/command/{command_id}/abort"),
            accepted("POST /web/v1/common/command/{command_id}/retry"),
            ok("GET /web/v1/common/command/{command_id}/tasks/{task_id}/output", output),
            ok("GET /web/v1/common/command/{command_id}/steps/{step_index}/tasks",
               StepTaskPage(total: 1, tasks: command.steps[0].tasks.map(ProgressDocument.TaskEntry.init))),
            ok("GET /web/v1/common/commands", CommandList(total: 1, commands: [summary])),
            request("POST /web/v1/maintain/cluster/{cluster_id}/instances",
                    AddInstanceRequest(role: "GatewayServer", host: "host-4", start: false)),
            accepted("POST /web/v1/maintain/cluster/{cluster_id}/instances"),
            accepted("DELETE /web/v1/maintain/cluster/{cluster_id}/instances/{instance_name}"),
            accepted("POST /web/v1/maintain/cluster/{cluster_id}/hosts/{host_name}/decommission"),
            ok("DELETE /web/v1/maintain/cluster/{cluster_id}/hosts/{host_name}", NoResult()),
        ]
        return samples
    }

    static var access: [WireSample] {
        let user = UserView(userName: "alice", role: .operator, modifyPwd: true, createTime: time)
        let login = LoginCheck(modifyPwd: false, existCluster: true, remindPwd: false, refURL: "", token: "t0k3n",
                               userName: "alice", role: .operator)
        let changed = PasswordChangeResult(code: 0, description: "The password was changed; log in again with it.")
        let entry = AuditEntry(id: 3, at: time, user: "alice", source: "127.0.0.1", action: "SERVICE_START",
                               target: "/web/v1/maintain/cluster/1/service/Gateway/start", result: .success,
                               httpStatus: 200, errorCode: 0, commandId: 7)
        let problem = ConfigurationProblem(scope: .instance(gateway), name: "gateway.port", message: "must be 1024-65535")
        let rejected = Envelope(id: -1, state: .failed, errorCode: ErrorCode.invalidConfigurationValue.rawValue,
                                errorDescription: "A value is not valid.", resObj: ConfigurationProblems(problems: [problem]))
        let refused = Envelope<NoResult>.failure(StewardError(.serviceNotFound, "Service 'Nope' does not exist."))
        let reused = Envelope<NoResult>.failure(StewardError(.idempotencyKeyReused,
                                                             "Idempotency-Key 'k1' was used for another request (command 7); nothing was made."))
        return [
            WireSample(operation: "GET /web/v1/access/login_check", part: .response("200"), wire: WireJSON.envelope(Envelope<NoResult>(), extra: login),
                       full: login, mayLack: ["res_obj"]),
            ok("GET /web/v1/logout_action", LogoutResult(refURL: "/cas/logout")),
            request("POST /web/v1/access/modify_self_password",
                    PasswordChange(old: "Old-pass-1", new: "New-pass-2", confirm: "New-pass-2")),
            WireSample(operation: "POST /web/v1/access/modify_self_password", part: .response("200"),
                       wire: WireJSON.envelope(Envelope<NoResult>(), extra: changed), full: changed, mayLack: ["res_obj"]),
            ok("GET /web/v1/access/users", UserList(users: [user])),
            request("POST /web/v1/access/users", CreateUserRequest(userName: "alice", role: "operator", password: "Alice-pass-1")),
            ok("POST /web/v1/access/users", CreatedUser(user: user, initialPassword: "Generated-9x")),
            request("PUT /web/v1/access/users/{user_name}",
                    UpdateUserRequest(role: "viewer", password: "Reset-pass-3", resetPassword: false)),
            ok("PUT /web/v1/access/users/{user_name}", UpdatedUser(user: user, initialPassword: "Generated-9y")),
            ok("DELETE /web/v1/access/users/{user_name}", NoResult()),
            ok("GET /web/v1/audit", AuditList(entries: [entry])),
            WireSample(operation: "GET /web/v1/ping", part: .response("default"), wire: WireJSON.envelope(refused), full: nil,
                       mayLack: ["res_obj"]),
            WireSample(operation: "POST /web/v1/config/cluster/{cluster_id}/save", part: .response("default"),
                       wire: WireJSON.envelope(rejected), full: rejected),
            WireSample(operation: "POST /web/v1/maintain/cluster/{cluster_id}/service/{service_name}/start", part: .response("422"),
                       wire: WireJSON.envelope(reused), full: nil, mayLack: ["res_obj"]),
        ]
    }
}

extension WireSamples {
    /// The agent protocol, `/agent/v1`: what agents send and what they are answered.
    static var agents: [WireSample] {
        let report = InstanceReport(service: "Gateway", role: "GatewayServer", status: .started, health: .good, pid: 4242,
                                    configDigest: "d1", observedAt: time * 1000)
        let process = ProcessSpec(start: ["{steward}", "role"],
                                  check: .tcp(portParameter: "port", send: "srvr\n", expect: ["Mode: leader"], timeoutSeconds: 2),
                                  startTimeoutSeconds: 30, stopTimeoutSeconds: 10, environment: ["JAVA_HOME": "/opt/jdk"],
                                  workingDirectory: "{instance_dir}/data", prepare: [PrepareStep(command: ["mkdir", "-p", "data"])],
                                  requires: [Requirement(path: "/usr/share/java/zookeeper.jar", command: "java", package: "zookeeper")],
                                  checkIntervalSeconds: 5)
        let task = AgentTask(taskId: 11, commandId: 7, instance: gateway, operation: .start, process: process,
                             configuration: ["port": "21101"],
                             configFiles: [ConfigFileSpec(name: "peers.txt", format: .template,
                                                          template: "{{#roles.GatewayServer}}{{address}}\n{{/roles.GatewayServer}}")],
                             configDigest: "d1", timeoutSeconds: 30, context: TemplateContext(
                                instance: .init(service: "Gateway", role: "GatewayServer", host: "host-1", address: "127.0.1.1", ordinal: 1),
                                host: .init(name: "host-1", address: "127.0.1.1"), cluster: .init(id: 1, name: "demo"),
                                values: ["port": "21101"],
                                roles: ["GatewayServer": [.init(host: "host-1", address: "127.0.1.1", ordinal: 1, values: ["port": "21101"])]]))
        let sample = HostSample(time: time, values: ["hm_cpu_used": 12.5])
        return [
            request("POST /agent/v1/register", AgentHello(host: "host-1", agentVersion: "0.1.0", instances: [report], incarnation: "i1",
                                                                address: "127.0.1.1", cores: 2, memoryMiB: 24105, os: "Debian GNU/Linux 12 (bookworm)")),
            ok("POST /agent/v1/register", AgentWelcome(heartbeatIntervalMs: 1000, pollTimeoutMs: 20000, metricsIntervalMs: 5000,
                                                       credential: String(repeating: "ab", count: 32), pending: true, heartbeatTimeoutMs: 5000)),
            request("POST /agent/v1/poll", AgentPoll(host: "host-1", received: [10])),
            ok("POST /agent/v1/poll", AgentWork(tasks: [task], abort: [9])),
            request("POST /agent/v1/result", AgentTaskResult(host: "host-1", taskId: 11, succeeded: false, detail: "exited",
                                                             exitCode: 1, outputTail: "port in use", instance: report,
                                                             errorCode: ErrorCode.prepareFailed.rawValue)),
            ok("POST /agent/v1/result", NoResult()),
            request("POST /agent/v1/output", AgentTaskOutput(host: "host-1", taskId: 11, outputTail: "starting")),
            ok("POST /agent/v1/output", NoResult()),
            request("POST /agent/v1/heartbeat", AgentHeartbeat(host: "host-1", instances: [report], metrics: sample)),
            ok("POST /agent/v1/heartbeat", NoResult()),
        ]
    }

    /// The hosts' agent credentials and the join token, for admins.
    static var agentCredentials: [WireSample] {
        let view = AgentCredentialView(hostName: "host-1", state: .revoked, issuedAt: time, lastUsedAt: time + 1000,
                                       revokedAt: time + 2000)
        return [
            ok("GET /web/v1/cluster/{cluster_id}/agent_credentials", AgentCredentialList(credentials: [view])),
            ok("POST /web/v1/cluster/{cluster_id}/agent_credentials/{host_name}/revoke", view),
            ok("POST /web/v1/cluster/{cluster_id}/agent_credentials/{host_name}/approve", view),
            ok("POST /web/v1/cluster/{cluster_id}/agent_token/rotate", RotatedAgentToken(token: String(repeating: "cd", count: 32))),
        ]
    }
}

/// Where a sample that should be full is not: a nil optional or an empty
/// list or map leaves a field or an item schema unchecked.
func unsetFields(_ value: Any, at path: String = "$") -> [String] {
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
        guard let wrapped = mirror.children.first else { return ["\(path) is nil"] }
        return unsetFields(wrapped.value, at: path)
    case .collection, .set:
        if mirror.children.isEmpty { return ["\(path) is empty"] }
        return mirror.children.enumerated().flatMap { unsetFields($1.value, at: "\(path)[\($0)]") }
    case .dictionary:
        if mirror.children.isEmpty { return ["\(path) is empty"] }
        return mirror.children.flatMap { pair in
            Mirror(reflecting: pair.value).children.dropFirst().flatMap { unsetFields($0.value, at: "\(path)[]") }
        }
    case .struct, .class, .tuple:
        return mirror.children.flatMap { unsetFields($0.value, at: "\(path).\($0.label ?? "?")") }
    default:
        return []
    }
}
