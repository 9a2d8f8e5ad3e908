import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// User management, for admins: list, create (a generated initial password
/// when none is given, shown once), change a role or reset a password, delete.
struct UserController {
    typealias Context = StewardRequestContext
    let users: any Store
    let auth: Authenticator
    let audit: AuditTrail
    let clock: any TimeSource
    let bodyLimit: Int

    func addRoutes(api: RouterGroup<Context>) {
        api.group("access/users").add(middleware: RoleMiddleware(role: .admin)).get(use: list)
        api.group("access/users").adminAction(audit.action("USER_CREATE")).post(use: create)
        api.group("access/users").adminAction(audit.action("USER_UPDATE")).put(":user_name", use: update)
        api.group("access/users").adminAction(audit.action("USER_DELETE")).delete(":user_name", use: delete)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        JSONBody.ok(UserList(users: try await users.users().map(Self.view)))
    }

    @Sendable func create(_ request: Request, context: Context) async throws -> Response {
        let body = try await JSONBody.decode(CreateUserRequest.self, from: request, limit: bodyLimit, required: true)
        guard Self.isUserName(body.userName) else {
            throw StewardError(.invalidParameter, "user_name must be 1-64 letters, digits, '-', '_' or '.'.")
        }
        let role = try Self.role(body.role)
        if let password = body.password, let problem = PasswordChange.policyProblem(user: body.userName, old: "", new: password) {
            throw StewardError(.passwordRejected, problem)
        }
        guard try await users.user(named: body.userName) == nil else {
            throw StewardError(.userExists, "User '\(body.userName)' exists.")
        }
        let password = body.password ?? PasswordHasher.generatePassword()
        let record = UserRecord(name: body.userName, passwordHash: try await hash(password), role: role,
                                mustChangePassword: true, createdAt: clock.now())
        try await users.insertUser(record)
        return JSONBody.ok(CreatedUser(user: Self.view(record), initialPassword: body.password == nil ? password : nil))
    }

    @Sendable func update(_ request: Request, context: Context) async throws -> Response {
        let name = context.parameters.get("user_name") ?? ""
        let body = try await JSONBody.decode(UpdateUserRequest.self, from: request, limit: bodyLimit, required: true)
        guard let record = try await users.user(named: name) else { throw StewardError(.userNotFound, "No user '\(name.prefix(64))'.") }
        let role = try body.role.map { r throws(StewardError) in try Self.role(r) }
        if record.role == .admin, let role, role != .admin { try await requireAnotherAdmin(than: name) }
        if body.resetPassword == true, body.password != nil {
            throw StewardError(.invalidParameter, "Give either password or reset_password, not both.")
        }
        if let password = body.password, let problem = PasswordChange.policyProblem(user: name, old: "", new: password) {
            throw StewardError(.passwordRejected, problem)
        }
        // A generated one is returned once below and stored only hashed, as at creation.
        let password = body.password ?? (body.resetPassword == true ? PasswordHasher.generatePassword() : nil)
        var newHash: String?
        if let password { newHash = try await hash(password) }
        _ = try await users.updateUser(name, passwordHash: newHash, role: role, mustChangePassword: newHash == nil ? nil : true)
        try await auth.forget(user: name)
        guard let updated = try await users.user(named: name) else { throw StewardError(.userNotFound) }
        return JSONBody.ok(UpdatedUser(user: Self.view(updated), initialPassword: body.password == nil ? password : nil))
    }

    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let name = context.parameters.get("user_name") ?? ""
        guard name != context.user?.name else { throw StewardError(.selfRemoval, "You cannot remove yourself.") }
        guard let record = try await users.user(named: name) else { throw StewardError(.userNotFound, "No user '\(name.prefix(64))'.") }
        if record.role == .admin { try await requireAnotherAdmin(than: name) }
        _ = try await users.deleteUser(name)
        try await auth.forget(user: name)
        return JSONBody.ok(NoResult())
    }

    func hash(_ password: String) async throws -> String {
        try await auth.pool.hash(password, rounds: auth.hashRounds)
    }

    func requireAnotherAdmin(than name: String) async throws {
        let admins = try await users.users().filter { $0.role == .admin && $0.name != name }
        guard !admins.isEmpty else { throw StewardError(.lastAdmin, "'\(name)' is the last admin.") }
    }

    static func role(_ text: String) throws(StewardError) -> UserRole {
        guard let role = UserRole(rawValue: text) else { throw StewardError(.invalidParameter, "role must be admin, operator or viewer.") }
        return role
    }

    static func view(_ r: UserRecord) -> UserView {
        UserView(userName: r.name, role: r.role, modifyPwd: r.mustChangePassword, createTime: r.createdAt)
    }

    static func isUserName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }
}
