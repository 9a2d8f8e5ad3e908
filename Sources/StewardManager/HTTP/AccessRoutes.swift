import Foundation
import HTTPTypes
import Hummingbird
import StewardEngine
import StewardStore

/// The reference's access endpoints, and user management (admin only).
extension Manager {
    /// `login_check` authenticates on its own: a web session, else the CASTGC
    /// of the CAS flow, else HTTP Basic; it answers with the web session cookie.
    func addLoginCheck(to web: RouterGroup<StewardRequestContext>) {
        web.get("access/login_check") { request, context -> Response in
            let cookies = requestCookies(request)
            var token: String
            var session: SessionStore.Session
            if let existing = cookies[AuthMiddleware.sessionCookie], let s = self.auth.sessions.webSession(existing) {
                (token, session) = (existing, s)
            } else if let tgt = cookies["CASTGC"], let grant = self.auth.sessions.grant(tgt) {
                token = self.auth.sessions.newWebSession(user: grant.user, role: grant.role, parent: CredentialCache.key(tgt))
                session = grant
            } else if let header = request.headers[.authorization] {
                let user = try await self.auth.basic(header, source: context.remoteAddress)
                token = self.auth.sessions.newWebSession(user: user.name, role: user.role, parent: nil)
                guard let s = self.auth.sessions.webSession(token) else { throw StewardError(.internalError) }
                session = s
            } else {
                return AuthMiddleware.challenge(request, "Not logged in: log in at /cas/login first.")
            }
            let record = try await self.store.user(named: session.user)
            let result = LoginCheck(modifyPwd: record?.mustChangePassword ?? false, existCluster: true,
                                    remindPwd: record?.mustChangePassword ?? false, refURL: "", token: token,
                                    userName: session.user, role: session.role.rawValue)
            var response = JSONBody.response(JSONBody.encode(EnvelopeWith(result)))
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie(AuthMiddleware.sessionCookie, token)))
            return response
        }
    }

    func addAccessRoutes(to api: RouterGroup<StewardRequestContext>) {
        let limit = options.maxBodyBytes
        api.group().add(middleware: audit("LOGOUT")).get("logout_action") { request, context -> Response in
            if let token = requestCookies(request)[AuthMiddleware.sessionCookie] { self.auth.sessions.endWebSession(token) }
            if let token = request.headers[.xAuthToken] { self.auth.sessions.endWebSession(token) }
            var response = JSONBody.ok(["ref_URL": "/cas/logout"])
            response.headers.append(HTTPField(name: .setCookie, value: self.auth.cookie(AuthMiddleware.sessionCookie, "", maxAge: 0)))
            return response
        }

        api.group().add(middleware: audit("PASSWORD_CHANGE")).post("access/modify_self_password") { request, context -> Response in
            guard let user = context.user else { throw StewardError(.unauthenticated) }
            var change = try await JSONBody.decode(PasswordChange.self, from: request, limit: limit)
            let query = request.uri.queryParameters
            change.oldPassword = change.oldPassword ?? query.get("old_password")
            change.newPassword = change.newPassword ?? query.get("new_password")
            change.confirmPassword = change.confirmPassword ?? query.get("confirm_password")
            guard let old = change.oldPassword, let new = change.newPassword, let confirm = change.confirmPassword else {
                throw StewardError(.invalidParameter, "old_password, new_password and confirm_password are required.")
            }
            guard new == confirm else { throw StewardError(.passwordRejected, "new_password and confirm_password differ.") }
            guard let record = try await self.store.user(named: user.name) else { throw StewardError(.userNotFound) }
            let oldValid = try await NIOThreadPoolRun { PasswordHasher.verify(old, against: record.passwordHash) }
            guard oldValid else { throw StewardError(.passwordRejected, "The old password is wrong.") }
            if let problem = PasswordChange.policyProblem(user: user.name, old: old, new: new) {
                throw StewardError(.passwordRejected, problem)
            }
            let hash = try await NIOThreadPoolRun { try PasswordHasher.hash(new, rounds: self.options.passwordHashRounds) }
            _ = try await self.store.updateUser(user.name, passwordHash: hash, role: nil, mustChangePassword: false)
            self.auth.forget(user: user.name)
            return JSONBody.response(JSONBody.encode(EnvelopeWith(PasswordChangeResult(code: 0, description: "The password was changed; log in again with it."))))
        }

        let admin = api.group("access/users").add(middleware: RoleMiddleware(role: .admin))
        admin.get { _, _ -> Response in
            let users = try await self.store.users().map(Self.view)
            return JSONBody.ok(UserList(users: users))
        }
        api.group("access/users").add(middleware: audit("USER_CREATE")).add(middleware: RoleMiddleware(role: .admin))
            .post { request, context -> Response in
                let body = try await JSONBody.decode(CreateUserRequest.self, from: request, limit: limit, required: true)
                guard Self.isUserName(body.userName) else {
                    throw StewardError(.invalidParameter, "user_name must be 1-64 letters, digits, '-', '_' or '.'.")
                }
                guard let role = UserRole(rawValue: body.role) else {
                    throw StewardError(.invalidParameter, "role must be admin, operator or viewer.")
                }
                if let password = body.password, let problem = PasswordChange.policyProblem(user: body.userName, old: "", new: password) {
                    throw StewardError(.passwordRejected, problem)
                }
                guard try await self.store.user(named: body.userName) == nil else {
                    throw StewardError(.userExists, "User '\(body.userName)' exists.")
                }
                let password = body.password ?? PasswordHasher.generatePassword()
                let hash = try await NIOThreadPoolRun { try PasswordHasher.hash(password, rounds: self.options.passwordHashRounds) }
                let record = UserRecord(name: body.userName, passwordHash: hash, role: role.rawValue, mustChangePassword: true,
                                        createdAt: WallClock.nowMillis())
                try await self.store.insertUser(record)
                return JSONBody.ok(CreatedUser(user: Self.view(record), initialPassword: body.password == nil ? password : nil))
            }
        api.group("access/users").add(middleware: audit("USER_UPDATE")).add(middleware: RoleMiddleware(role: .admin))
            .put(":user_name") { request, context -> Response in
                let name = context.parameters.get("user_name") ?? ""
                let body = try await JSONBody.decode(UpdateUserRequest.self, from: request, limit: limit, required: true)
                guard let record = try await self.store.user(named: name) else { throw StewardError(.userNotFound, "No user '\(name.prefix(64))'.") }
                let role = try body.role.map { r throws(StewardError) -> UserRole in
                    guard let role = UserRole(rawValue: r) else { throw StewardError(.invalidParameter, "role must be admin, operator or viewer.") }
                    return role
                }
                if record.role == UserRole.admin.rawValue, let role, role != .admin { try await self.requireAnotherAdmin(than: name) }
                if body.resetPassword == true, body.password != nil {
                    throw StewardError(.invalidParameter, "Give either password or reset_password, not both.")
                }
                // A generated one is returned once below and stored only hashed, as at creation.
                let password = body.password ?? (body.resetPassword == true ? PasswordHasher.generatePassword() : nil)
                var hash: String?
                if let password {
                    if body.password != nil, let problem = PasswordChange.policyProblem(user: name, old: "", new: password) {
                        throw StewardError(.passwordRejected, problem)
                    }
                    hash = try await NIOThreadPoolRun { try PasswordHasher.hash(password, rounds: self.options.passwordHashRounds) }
                }
                _ = try await self.store.updateUser(name, passwordHash: hash, role: role?.rawValue, mustChangePassword: hash == nil ? nil : true)
                self.auth.forget(user: name)
                guard let updated = try await self.store.user(named: name) else { throw StewardError(.userNotFound) }
                return JSONBody.ok(UpdatedUser(user: Self.view(updated), initialPassword: body.password == nil ? password : nil))
            }
        api.group("access/users").add(middleware: audit("USER_DELETE")).add(middleware: RoleMiddleware(role: .admin))
            .delete(":user_name") { request, context -> Response in
                let name = context.parameters.get("user_name") ?? ""
                guard name != context.user?.name else { throw StewardError(.selfRemoval, "You cannot remove yourself.") }
                guard let record = try await self.store.user(named: name) else { throw StewardError(.userNotFound, "No user '\(name.prefix(64))'.") }
                if record.role == UserRole.admin.rawValue { try await self.requireAnotherAdmin(than: name) }
                _ = try await self.store.deleteUser(name)
                self.auth.forget(user: name)
                return JSONBody.ok(NoResult())
            }

        api.group("audit").add(middleware: RoleMiddleware(role: .admin)).get { request, _ -> Response in
            let q = request.uri.queryParameters
            var query = AuditQuery()
            query.user = q.get("user")
            query.action = q.get("action")
            query.result = q.get("result")
            if let result = query.result, result != "SUCCESS", result != "FAILURE" {
                throw StewardError(.invalidParameter, "result must be SUCCESS or FAILURE.")
            }
            query.from = try Self.number(q.get("from"), "from")
            query.to = try Self.number(q.get("to"), "to")
            let limit = try Self.number(q.get("limit"), "limit") ?? 100
            guard (1...1000).contains(limit) else { throw StewardError(.invalidParameter, "limit must be 1-1000.") }
            query.limit = Int(limit)
            query.offset = Int(clamping: try Self.number(q.get("offset"), "offset") ?? 0)
            return JSONBody.ok(AuditList(entries: try await self.store.audit(query)))
        }
    }

    func audit(_ action: String) -> AuditMiddleware { AuditMiddleware(action: action, auditor: auditor, logger: logger) }

    func requireAnotherAdmin(than name: String) async throws {
        let admins = try await store.users().filter { $0.role == UserRole.admin.rawValue && $0.name != name }
        guard !admins.isEmpty else { throw StewardError(.lastAdmin, "'\(name)' is the last admin.") }
    }

    static func view(_ r: UserRecord) -> UserView {
        UserView(userName: r.name, role: r.role, modifyPwd: r.mustChangePassword, createTime: r.createdAt)
    }

    static func isUserName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    static func number(_ text: String?, _ name: String) throws(StewardError) -> Int64? {
        guard let text else { return nil }
        guard let n = Int64(text), n >= 0 else { throw StewardError(.invalidParameter, "\(name) must be a non-negative integer.") }
        return n
    }
}

/// A success envelope with fields of its own at the top level, as the
/// reference's `login_check` and `modify_self_password` answer.
struct EnvelopeWith<Extra: Encodable>: Encodable {
    let extra: Extra

    init(_ extra: Extra) { self.extra = extra }

    func encode(to encoder: any Encoder) throws {
        try Envelope<NoResult>().encode(to: encoder)
        try extra.encode(to: encoder)
    }
}

/// The reference's own fields of `login_check`.
struct LoginCheck: Encodable {
    let modifyPwd: Bool
    let existCluster: Bool
    let remindPwd: Bool
    let refURL: String
    let token: String
    /// Steward's additions: who is logged in, so that a UI can show it and
    /// offer only what the role allows.
    let userName: String
    let role: String

    enum CodingKeys: String, CodingKey {
        case token
        case modifyPwd = "modify_pwd"
        case existCluster = "exist_cluster"
        case remindPwd = "remind_pwd"
        case userName = "user_name"
        case role
        case refURL = "ref_URL"
    }
}

/// The reference's own fields of `modify_self_password`.
struct PasswordChangeResult: Encodable {
    let code: Int
    let description: String

    enum CodingKeys: String, CodingKey {
        case code = "int_result_code"
        case description = "result_desc"
    }
}

struct AuditList: Codable, Sendable {
    let entries: [AuditEntry]
}

/// Runs CPU-heavy work (password hashing) off the event loops.
func NIOThreadPoolRun<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(body)
}

import NIOPosix
