import Hummingbird
import Logging

/// What a controller needs to record its changes in the audit log: one
/// middleware per audited route, named by the action it records.
struct AuditTrail: Sendable {
    let auditor: Auditor
    let logger: Logger

    func action(_ name: String) -> AuditMiddleware { AuditMiddleware(action: name, auditor: auditor, logger: logger) }

    /// For a route that honours `?dry_run=true`: a dry run is not recorded.
    func dryRunnable(_ name: String) -> AuditMiddleware {
        AuditMiddleware(action: name, auditor: auditor, logger: logger, hasDryRun: true)
    }
}

extension RouterGroup where Context == StewardRequestContext {
    /// A route that changes something: audited (refusals too), then for
    /// operators and admins only, then (under `…/cluster/:cluster_id`) checked
    /// for its cluster, so that a change asked of a wrong cluster is audited too.
    func operatorAction(_ audit: AuditMiddleware, in cluster: ClusterMiddleware? = nil) -> RouterGroup<Context> {
        let guarded = group().add(middleware: audit).add(middleware: RoleMiddleware(role: .operator))
        guard let cluster else { return guarded }
        return guarded.add(middleware: cluster)
    }

    /// The same for admins only.
    func adminAction(_ audit: AuditMiddleware) -> RouterGroup<Context> {
        group().add(middleware: audit).add(middleware: RoleMiddleware(role: .admin))
    }
}
