import HTTPTypes
import Hummingbird
import Logging
import StewardAPI
import StewardEngine

/// Records a state-changing request, allowed or refused, with its user,
/// source address, action, target, result and the command it created.
/// It sits after authentication and before the role check, so that a refused
/// attempt is recorded too.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let action: String
    let auditor: Auditor
    let logger: Logger
    /// The route honours `?dry_run=true` (it then changes nothing). Elsewhere
    /// the parameter means nothing and must not hide a change from the log.
    var hasDryRun = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A dry run changes nothing; the configuration editor sends one per edit.
        if hasDryRun, request.uri.queryParameters.get("dry_run") == "true" { return try await next(request, context) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ErrorMiddleware.response(for: error, path: request.uri.path, logger: logger)
        }
        let code = response.headers[.errorCode].flatMap(Int.init).flatMap(ErrorCode.init(rawValue:)) ?? .success
        let ok = response.status.code < 400
        await auditor.record(user: context.user?.name ?? "", source: context.remoteAddress, action: action,
                             target: request.uri.path, result: ok ? .success : .failure, status: Int(response.status.code),
                             code: code, commandId: response.headers[.commandId].flatMap(Int64.init))
        return response
    }
}
