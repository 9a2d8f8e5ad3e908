import Foundation
import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// Placement, for operators: add an instance of a role to a host, remove one,
/// decommission a host, forget one. The first three are commands with
/// progress (and a dry run); forgetting is immediate. A refused placement
/// changes nothing: the center checks it against the topology before it
/// stores anything.
struct PlacementController {
    typealias Context = StewardRequestContext
    let center: CommandCenter
    let cluster: ClusterState
    let hub: AgentHub
    let credentials: HostCredentials
    let audit: AuditTrail
    let bodyLimit: Int

    /// `maintain` is `/web/v1/maintain/cluster/:cluster_id`, checked by `inCluster` after the audit and role checks.
    func addRoutes(maintain: RouterGroup<Context>, inCluster: ClusterMiddleware) {
        maintain.operatorAction(audit.dryRunnable("INSTANCE_ADD"), in: inCluster).post("instances", use: add)
        maintain.operatorAction(audit.dryRunnable("INSTANCE_REMOVE"), in: inCluster).delete("instances/:instance_name", use: remove)
        maintain.operatorAction(audit.dryRunnable("HOST_DECOMMISSION"), in: inCluster)
            .post("hosts/:host_name/decommission", use: decommission)
        maintain.operatorAction(audit.action("HOST_FORGET"), in: inCluster).delete("hosts/:host_name", use: forget)
    }

    @Sendable func add(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONBody.decode(AddInstanceRequest.self, from: request, limit: bodyLimit, required: true)
        let dryRun = try request.dryRun()
        let user = context.user?.name ?? ""
        // A dry run makes nothing: its key is checked but not used.
        let key = try request.idempotencyKey(user: user, body: body)
        let command = try await center.submitAdd(role: body.role, host: body.host, start: body.start ?? true,
                                                 user: user, dryRun: dryRun, key: dryRun ? nil : key)
        return dryRun ? CommandController.plan(command) : CommandController.accepted(command)
    }

    @Sendable func remove(_ request: Request, context: Context) async throws -> Response {
        let dryRun = try request.dryRun()
        // `@` may come percent-encoded (a browser's encodeURIComponent does it).
        let name = context.parameters.get("instance_name") ?? ""
        let user = context.user?.name ?? ""
        let key = try request.idempotencyKey(user: user)
        let command = try await center.submitRemove(instance: name.removingPercentEncoding ?? name,
                                                    user: user, dryRun: dryRun, key: dryRun ? nil : key)
        return dryRun ? CommandController.plan(command) : CommandController.accepted(command)
    }

    @Sendable func decommission(_ request: Request, context: Context) async throws -> Response {
        let dryRun = try request.dryRun()
        let user = context.user?.name ?? ""
        let key = try request.idempotencyKey(user: user)
        let command = try await center.submitDecommission(host: context.parameters.get("host_name") ?? "",
                                                          user: user, dryRun: dryRun, key: dryRun ? nil : key)
        return dryRun ? CommandController.plan(command) : CommandController.accepted(command)
    }

    /// Forgets a host with no instances: it leaves the topology, its agent's
    /// credential is revoked (so the join token alone cannot bring it back
    /// under its old credential) and its agent is heard no more.
    @Sendable func forget(_ request: Request, context: Context) async throws -> Response {
        if try request.dryRun() { throw StewardError(.invalidParameter, "Forgetting a host has no dry run.") }
        let host = try await center.forget(host: context.parameters.get("host_name") ?? "")
        if await credentials.state(of: host.name) != .none { _ = try await credentials.revoke(host.name) }
        await hub.remove(host: host.name)
        return JSONBody.ok(NoResult())
    }
}
