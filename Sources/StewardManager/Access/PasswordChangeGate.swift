import Hummingbird
import StewardAPI

/// Refuses everything to a user who logged in with an initial password
/// (`modify_pwd: true`) until it is changed: an initial password was chosen
/// or seen by someone else (an admin, a terminal, a log), so it must not be
/// enough to act. It sits after authentication, so it holds for every way of
/// logging in (Basic, token, session cookie, CAS). The few routes such a user
/// needs (`login_check`, `modify_self_password`, `logout_action`, the UI's
/// pages) are registered outside it.
struct PasswordChangeGate: RouterMiddleware {
    typealias Context = StewardRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let user = context.user, user.mustChangePassword {
            throw StewardError(.passwordChangeRequired,
                               "User '\(user.name.prefix(64))' must change the initial password first (POST /web/v1/access/modify_self_password).")
        }
        return try await next(request, context)
    }
}
