import Foundation
import StewardAPI

/// A typed call for every endpoint of `/web/v1`. Each returns what the manager
/// answered or throws a `Refusal` with the envelope's code and description.
/// Path segments and query values are percent-encoded here, never by callers.
extension StewardClient {
    // MARK: cluster

    public func clusters() async throws -> [ClusterSummary] {
        try await get("/web/v1/clusters", as: ClusterList.self).value().clusters
    }

    public func clusterStatus(cluster: Int) async throws -> ClusterHealth {
        try await get("/web/v1/cluster/\(cluster)/status", as: ClusterHealth.self).value()
    }

    public func services(cluster: Int) async throws -> [ServiceView] {
        try await get("/web/v1/cluster/\(cluster)/services", as: ServiceList.self).value().services
    }

    public func serviceSummary(_ name: String, cluster: Int) async throws -> KeyProperties {
        try await get("/web/v1/cluster/\(cluster)/services/\(Self.segment(name))", as: KeyProperties.self).value()
    }

    public func configurations(of service: String, cluster: Int) async throws -> ServiceConfigurationView {
        try await get("/web/v1/cluster/\(cluster)/services/\(Self.segment(service))/configurations",
                      as: ServiceConfigurationView.self).value()
    }

    public func hosts(cluster: Int) async throws -> [HostView] {
        try await get("/web/v1/cluster/\(cluster)/hosts", as: HostList.self).value().hosts
    }

    public func instances(service: String? = nil, cluster: Int) async throws -> [InstanceView] {
        let path = "/web/v1/cluster/\(cluster)/instances" + Self.query(["service_name": service])
        return try await get(path, as: InstanceList.self).value().instances
    }

    // MARK: commands

    /// Starts, stops or restarts a service: the new command's envelope (its id and state).
    /// The same `idempotencyKey` again answers the same command (`docs/api.md`).
    public func submit(_ action: ServiceAction, service name: String, onlySelf: Bool, cluster: Int,
                       idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await service(action, name, onlySelf: onlySelf, cluster: cluster, idempotencyKey: idempotencyKey).accepted()
    }

    /// The plan a start, stop or restart would run, nothing started.
    public func plan(_ action: ServiceAction, service name: String, onlySelf: Bool, cluster: Int) async throws -> ProgressDocument {
        try await post("/web/v1/maintain/cluster/\(cluster)/service/\(Self.segment(name))/\(action.rawValue)?dry_run=true",
                       ServiceActionRequest(onlySelf: onlySelf), as: ProgressDocument.self).value()
    }

    /// Restarts a service's running instances batch by batch: the new command's envelope.
    public func submitRollingRestart(_ name: String, _ request: RollingRestartRequest, cluster: Int,
                                     idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await rollingRestart(name, request, cluster: cluster, idempotencyKey: idempotencyKey).accepted()
    }

    /// The raw reply of a rolling restart, refusals included.
    public func rollingRestart(_ name: String, _ request: RollingRestartRequest, cluster: Int,
                               idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await post("/web/v1/maintain/cluster/\(cluster)/service/\(Self.segment(name))/rolling_restart", request,
                       idempotencyKey: idempotencyKey)
    }

    /// The batches a rolling restart would run, nothing started.
    public func planRollingRestart(_ name: String, _ request: RollingRestartRequest, cluster: Int) async throws -> ProgressDocument {
        try await post("/web/v1/maintain/cluster/\(cluster)/service/\(Self.segment(name))/rolling_restart?dry_run=true",
                       request, as: ProgressDocument.self).value()
    }

    public func save(_ request: SaveConfigurationRequest, cluster: Int, idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await saveConfiguration(request, cluster: cluster, idempotencyKey: idempotencyKey).accepted()
    }

    /// Configuration versions, newest first: a page and how many there are.
    public func configVersions(offset: Int? = nil, limit: Int? = nil, cluster: Int) async throws -> ConfigVersionList {
        try await get("/web/v1/config/cluster/\(cluster)/versions"
                      + Self.query(["offset": offset.map(String.init), "limit": limit.map(String.init)]),
                      as: ConfigVersionList.self).value()
    }

    /// One version: its values and what it changed from the version before.
    public func configVersion(_ number: Int, cluster: Int) async throws -> ConfigVersionDetail {
        try await get("/web/v1/config/cluster/\(cluster)/versions/\(number)", as: ConfigVersionDetail.self).value()
    }

    /// Rolls back to a version: the new save command's envelope.
    public func rollback(to number: Int, restart: Bool, cluster: Int, idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await post("/web/v1/config/cluster/\(cluster)/versions/\(number)/rollback",
                       RollbackRequest(restartAffectedComponents: restart), idempotencyKey: idempotencyKey).accepted()
    }

    /// The plan a rollback would run, nothing changed.
    public func rollbackPlan(to number: Int, restart: Bool, cluster: Int) async throws -> ProgressDocument {
        try await post("/web/v1/config/cluster/\(cluster)/versions/\(number)/rollback?dry_run=true",
                       RollbackRequest(restartAffectedComponents: restart), as: ProgressDocument.self).value()
    }

    public func commands(_ filter: CommandFilter = CommandFilter()) async throws -> CommandList {
        try await get("/web/v1/common/commands" + Self.query(filter.queryParameters), as: CommandList.self).value()
    }

    /// A command's progress; a refusal (unknown command) throws.
    public func command(_ id: Int64) async throws -> Envelope<ProgressDocument> {
        try await progress(id).accepted()
    }

    /// A command's progress with up to `taskLimit` tasks per step (0-500; the manager's default is 20).
    public func command(_ id: Int64, taskLimit: Int) async throws -> Envelope<ProgressDocument> {
        try await get("/web/v1/common/command/\(id)/progress?task_limit=\(taskLimit)", as: ProgressDocument.self).accepted()
    }

    /// One page of a step's tasks (steps numbered from 0), in id order, optionally of one state.
    public func stepTasks(command id: Int64, step: Int, state: ExecutionState? = nil, offset: Int = 0,
                          limit: Int = StepTaskPage.defaultLimit) async throws -> StepTaskPage {
        let query = Self.query(["state": state?.rawValue, "offset": String(offset), "limit": String(limit)])
        return try await get("/web/v1/common/command/\(id)/steps/\(step)/tasks" + query, as: StepTaskPage.self).value()
    }

    public func output(command id: Int64, task: Int64) async throws -> TaskOutputView {
        try await get("/web/v1/common/command/\(id)/tasks/\(task)/output", as: TaskOutputView.self).value()
    }

    public func abort(_ id: Int64) async throws -> Envelope<NoResult> {
        try await call(.POST, "/web/v1/common/command/\(id)/abort").accepted()
    }

    /// A new command that runs the failed tasks of a FAILED one again.
    public func retry(_ id: Int64, idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await call(.POST, "/web/v1/common/command/\(id)/retry", idempotencyKey: idempotencyKey).accepted()
    }

    // MARK: access and users

    public func ping() async throws {
        try await get("/web/v1/ping", as: NoResult.self).refuseIfFailed()
    }

    public func users() async throws -> [UserView] {
        try await get("/web/v1/access/users", as: UserList.self).value().users
    }

    public func createUser(_ request: CreateUserRequest) async throws -> CreatedUser {
        try await post("/web/v1/access/users", request, as: CreatedUser.self).value()
    }

    /// A new role, or a reset password: the one given, or (`resetPassword`) one the manager generates and returns once.
    public func updateUser(_ name: String, _ request: UpdateUserRequest) async throws -> UpdatedUser {
        try await call(.PUT, "/web/v1/access/users/\(Self.segment(name))", body: try JSONEncoder().encode(request),
                       as: UpdatedUser.self).value()
    }

    public func deleteUser(_ name: String) async throws {
        try await call(.DELETE, "/web/v1/access/users/\(Self.segment(name))").refuseIfFailed()
    }

    public func audit(_ filter: AuditFilter = AuditFilter()) async throws -> [AuditEntry] {
        try await get("/web/v1/audit" + Self.query(filter.queryParameters), as: AuditList.self).value().entries
    }

    // MARK: agent credentials (admin)

    public func agentCredentials(cluster: Int) async throws -> [AgentCredentialView] {
        try await get("/web/v1/cluster/\(cluster)/agent_credentials", as: AgentCredentialList.self).value().credentials
    }

    public func revokeAgentCredential(host: String, cluster: Int) async throws -> AgentCredentialView {
        try await post("/web/v1/cluster/\(cluster)/agent_credentials/\(Self.segment(host))/revoke", NoResult(),
                       as: AgentCredentialView.self).value()
    }

    public func approveAgentCredential(host: String, cluster: Int) async throws -> AgentCredentialView {
        try await post("/web/v1/cluster/\(cluster)/agent_credentials/\(Self.segment(host))/approve", NoResult(),
                       as: AgentCredentialView.self).value()
    }

    /// The new join token, which the manager answers only this once.
    public func rotateAgentToken(cluster: Int) async throws -> String {
        try await post("/web/v1/cluster/\(cluster)/agent_token/rotate", NoResult(), as: RotatedAgentToken.self).value().token
    }

    // MARK: monitoring

    public func metrics(_ names: [String], hosts: [String] = [], period: String? = nil) async throws -> MetricDatas {
        let query = Self.query(["metric_names": names.joined(separator: ","),
                                "hosts": hosts.isEmpty ? nil : hosts.joined(separator: ","), "metric_period": period])
        return try await get("/web/v1/monitor/metrics_info" + query, as: MetricDatas.self).value()
    }

    public func openAPIDocument() async throws -> String {
        let (status, body, _) = try await raw(.GET, "/web/v1/openapi.yaml")
        guard status == 200 else { throw Refusal(status: status, code: -1, message: String(decoding: body, as: UTF8.self)) }
        return String(decoding: body, as: UTF8.self)
    }

    // MARK: encoding

    /// One path segment, percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? text
    }

    /// `?a=1&b=2` from the non-nil values, sorted by name, each percent-encoded.
    static func query(_ parameters: [String: String?]) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        let pairs = parameters.compactMap { name, value in value.map { (name, $0) } }.sorted { $0.0 < $1.0 }
        guard !pairs.isEmpty else { return "" }
        return "?" + pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
            .joined(separator: "&")
    }
}

extension StewardClient.Reply {
    /// The result, or a `Refusal` carrying the manager's code and description.
    public func value() throws -> Result {
        try refuseIfFailed()
        guard let result = envelope.resObj else {
            throw Refusal(status: status, code: envelope.errorCode, message: "the answer has no res_obj")
        }
        return result
    }

    /// The envelope as it came (a command's id and state, say), or a `Refusal`.
    public func accepted() throws -> Envelope<Result> {
        try refuseIfFailed()
        return envelope
    }

    /// A refusal is an HTTP error status; a FAILED command's own envelope (id > 0) is not.
    public func refuseIfFailed() throws {
        guard status < 400, envelope.state != .failed || envelope.id > 0 else {
            throw Refusal(status: status, code: envelope.errorCode, message: envelope.errorDescription)
        }
    }
}
