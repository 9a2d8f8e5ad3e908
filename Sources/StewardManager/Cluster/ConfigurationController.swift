import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// A service's configuration: its parameters and values per level, and the
/// reference's save, which becomes a command (with restarts, if asked).
struct ConfigurationController {
    typealias Context = StewardRequestContext
    let stack: Stack
    let cluster: ClusterState
    let center: CommandCenter
    let audit: AuditTrail
    let bodyLimit: Int

    /// `cluster` is under `/web/v1/cluster/:cluster_id` (checked); `config` is the group of
    /// `/web/v1/config/cluster/:cluster_id`, checked by `inCluster` after the audit and role checks.
    func addRoutes(cluster: RouterGroup<Context>, config: RouterGroup<Context>, inCluster: ClusterMiddleware) {
        cluster.get("services/:service_name/configurations", use: configurations)
        config.operatorAction(audit.dryRunnable("CONFIG_SAVE"), in: inCluster).post("save", use: save)
    }

    @Sendable func configurations(_ request: Request, context: Context) async throws -> Response {
        let name = try context.service(in: stack)
        guard let view = await cluster.configurationView(service: name) else { throw StewardError(.serviceNotFound) }
        return JSONBody.ok(view)
    }

    @Sendable func save(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONBody.decode(SaveConfigurationRequest.self, from: request, limit: bodyLimit, required: true)
        let topology = await cluster.topology
        let changes = try Configuration.validate(try body.changes(in: stack, topology: topology), in: stack, topology: topology)
        guard !changes.isEmpty else {
            throw StewardError(.invalidParameter, "configurations_summary.components holds no configuration item to save.")
        }
        let restart = body.configurationsSummary.restartAffectedComponents ?? false
        let user = context.user?.name ?? ""
        var plain = body
        plain.userPassword = nil
        let key = try request.idempotencyKey(user: user, body: plain)
        if try request.dryRun() {
            let draft = await center.draftConfiguration(changes, restart: restart, user: user)
            try await center.checkDraft(draft)
            return CommandController.plan(draft)
        }
        return CommandController.accepted(try await center.submitConfiguration(changes, restart: restart, user: user, key: key))
    }
}
