import Hummingbird
import StewardAPI
import StewardStore

/// The audit log, for admins: newest first, with filters and paging.
struct AuditController {
    typealias Context = StewardRequestContext
    let log: any Store

    func addRoutes(api: RouterGroup<Context>) {
        api.group("audit").add(middleware: RoleMiddleware(role: .admin)).get(use: list)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let q = request.uri.queryParameters
        var query = AuditFilter()
        query.user = q.get("user")
        query.action = q.get("action")
        query.result = try request.oneOf("result", AuditResult.self)
        query.from = try request.number("from")
        query.to = try request.number("to")
        (query.limit, query.offset) = try request.page(defaultLimit: 100, range: 1...1000)
        return JSONBody.ok(AuditList(entries: try await log.audit(query)))
    }
}
