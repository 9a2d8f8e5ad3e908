import Hummingbird
import StewardAPI
import StewardEngine

/// The hosts' agent credentials and the join token, for admins: list,
/// approve a pending host, revoke a credential (its agent is refused at once),
/// rotate the join token (shown once). Every change is audited.
struct AgentCredentialController {
    typealias Context = StewardRequestContext
    let credentials: HostCredentials
    let hub: AgentHub
    let cluster: ClusterState
    let audit: AuditTrail

    func addRoutes(api: RouterGroup<Context>, inCluster: ClusterMiddleware) {
        api.group("cluster/:cluster_id/agent_credentials").add(middleware: RoleMiddleware(role: .admin))
            .add(middleware: inCluster).get(use: list)
        api.group("cluster/:cluster_id").adminAction(audit.action("AGENT_REVOKE")).add(middleware: inCluster)
            .post("agent_credentials/:host_name/revoke", use: revoke)
        api.group("cluster/:cluster_id").adminAction(audit.action("AGENT_APPROVE")).add(middleware: inCluster)
            .post("agent_credentials/:host_name/approve", use: approve)
        api.group("cluster/:cluster_id").adminAction(audit.action("AGENT_TOKEN_ROTATE")).add(middleware: inCluster)
            .post("agent_token/rotate", use: rotate)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        JSONBody.ok(AgentCredentialList(credentials: await credentials.list()))
    }

    @Sendable func revoke(_ request: Request, context: Context) async throws -> Response {
        try refuseDryRun(request)
        let host = try await hostName(context)
        let view = try await credentials.revoke(host)
        // Its waiting long poll ends now, refused, rather than at its timeout.
        await hub.disconnect(host)
        return JSONBody.ok(view)
    }

    @Sendable func approve(_ request: Request, context: Context) async throws -> Response {
        try refuseDryRun(request)
        return JSONBody.ok(try await credentials.approve(try await hostName(context)))
    }

    @Sendable func rotate(_ request: Request, context: Context) async throws -> Response {
        try refuseDryRun(request)
        return JSONBody.ok(RotatedAgentToken(token: try await credentials.rotateJoinToken()))
    }

    /// These routes have no dry run, and a dry run is not audited: it is refused rather than carried out.
    private func refuseDryRun(_ request: Request) throws(StewardError) {
        if try request.dryRun() { throw StewardError(.invalidParameter, "This operation has no dry run.") }
    }

    /// A host of the topology, or one forgotten whose credential is still listed.
    private func hostName(_ context: Context) async throws -> String {
        let name = context.parameters.get("host_name") ?? ""
        let placed = await cluster.topology.host(name) != nil
        let issued = await credentials.state(of: name) != .none
        guard placed || issued else {
            throw StewardError(.hostNotFound, "Host '\(name.prefix(64))' does not exist in cluster \(cluster.clusterId).")
        }
        return name
    }
}
