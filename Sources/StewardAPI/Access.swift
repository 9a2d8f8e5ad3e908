/// Who may do what: admin (everything, users included) > operator (start,
/// stop, restart, save configuration) > viewer (read only).
public enum UserRole: String, Codable, Sendable, CaseIterable, Comparable {
    case viewer
    case `operator`
    case admin

    var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (a: UserRole, b: UserRole) -> Bool { a.rank < b.rank }

    public func allows(_ needed: UserRole) -> Bool { self >= needed }
}

public struct UserView: Codable, Sendable {
    public var userName: String
    public var role: UserRole
    public var modifyPwd: Bool
    public var createTime: Millis

    enum CodingKeys: String, CodingKey {
        case role
        case userName = "user_name"
        case modifyPwd = "modify_pwd"
        case createTime = "create_time"
    }

    public init(userName: String, role: UserRole, modifyPwd: Bool, createTime: Millis) {
        self.userName = userName
        self.role = role
        self.modifyPwd = modifyPwd
        self.createTime = createTime
    }
}

public struct UserList: Codable, Sendable {
    public var users: [UserView]
    public init(users: [UserView]) { self.users = users }
}

/// `POST /web/v1/access/users`. Without a password one is generated and
/// returned once; either way the user must change it at first login.
public struct CreateUserRequest: Codable, Sendable {
    public var userName: String
    public var role: String
    public var password: String?

    enum CodingKeys: String, CodingKey {
        case role, password
        case userName = "user_name"
    }

    public init(userName: String, role: String, password: String? = nil) {
        self.userName = userName
        self.role = role
        self.password = password
    }
}

public struct CreatedUser: Codable, Sendable {
    public var user: UserView
    /// Only when the manager generated it; never shown again.
    public var initialPassword: String?

    enum CodingKeys: String, CodingKey {
        case user
        case initialPassword = "initial_password"
    }

    public init(user: UserView, initialPassword: String?) {
        self.user = user
        self.initialPassword = initialPassword
    }
}

/// `PUT /web/v1/access/users/{user_name}`: a new role, or a reset password (to be changed at next login):
/// the one given, or with `reset_password` one the manager generates and returns once.
public struct UpdateUserRequest: Codable, Sendable {
    public var role: String?
    public var password: String?
    public var resetPassword: Bool?

    enum CodingKeys: String, CodingKey {
        case role, password
        case resetPassword = "reset_password"
    }

    public init(role: String? = nil, password: String? = nil, resetPassword: Bool? = nil) {
        self.role = role
        self.password = password
        self.resetPassword = resetPassword
    }
}

/// The answer to `PUT /web/v1/access/users/{user_name}`: the user's fields
/// flat, as a `UserView` (so a client that reads one still can), and the
/// generated password of a `reset_password`, never shown again.
public struct UpdatedUser: Codable, Sendable {
    public var user: UserView
    public var initialPassword: String?

    enum CodingKeys: String, CodingKey {
        case initialPassword = "initial_password"
    }

    public init(user: UserView, initialPassword: String?) {
        self.user = user
        self.initialPassword = initialPassword
    }

    public init(from decoder: any Decoder) throws {
        user = try UserView(from: decoder)
        initialPassword = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .initialPassword)
    }

    public func encode(to encoder: any Encoder) throws {
        try user.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(initialPassword, forKey: .initialPassword)
    }
}

/// `POST /web/v1/access/modify_self_password`, from the query string or a JSON body.
public struct PasswordChange: Codable, Sendable {
    public var oldPassword: String?
    public var newPassword: String?
    public var confirmPassword: String?

    enum CodingKeys: String, CodingKey {
        case oldPassword = "old_password"
        case newPassword = "new_password"
        case confirmPassword = "confirm_password"
    }

    public init(old: String, new: String, confirm: String) {
        oldPassword = old
        newPassword = new
        confirmPassword = confirm
    }
}

/// Whether an audited request succeeded.
public enum AuditResult: String, Sendable, Codable, Hashable, CaseIterable {
    case success = "SUCCESS"
    case failure = "FAILURE"
}

/// One audited event: a login, or a request that changes something.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var id: Int64
    public var at: Millis
    public var user: String
    public var source: String
    public var action: String
    public var target: String
    public var result: AuditResult
    public var httpStatus: Int
    public var errorCode: Int
    public var commandId: Int64?
    /// How many alike failures this entry stands for: repeats from one source
    /// (same user, action, result, error code) within a minute are one entry.
    public var count: Int

    public init(id: Int64 = 0, at: Millis, user: String, source: String, action: String, target: String,
                result: AuditResult, httpStatus: Int, errorCode: Int, commandId: Int64?, count: Int = 1) {
        self.id = id
        self.at = at
        self.user = user
        self.source = source
        self.action = action
        self.target = target
        self.result = result
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.commandId = commandId
        self.count = count
    }

    enum CodingKeys: String, CodingKey {
        case id, at, user, source, action, target, result, count
        case httpStatus = "http_status"
        case errorCode = "error_code"
        case commandId = "command_id"
    }
}

public struct AuditList: Codable, Sendable {
    public let entries: [AuditEntry]
    public init(entries: [AuditEntry]) { self.entries = entries }
}

/// The reference's own top-level fields of `GET /web/v1/access/login_check`,
/// beside the envelope's.
public struct LoginCheck: Codable, Sendable {
    public let modifyPwd: Bool
    public let existCluster: Bool
    public let remindPwd: Bool
    public let refURL: String
    public let token: String
    /// Steward's additions: who is logged in, so that a UI can show it and
    /// offer only what the role allows.
    public let userName: String
    public let role: UserRole

    enum CodingKeys: String, CodingKey {
        case token
        case modifyPwd = "modify_pwd"
        case existCluster = "exist_cluster"
        case remindPwd = "remind_pwd"
        case userName = "user_name"
        case role
        case refURL = "ref_URL"
    }

    public init(modifyPwd: Bool, existCluster: Bool, remindPwd: Bool, refURL: String, token: String,
                userName: String, role: UserRole) {
        self.modifyPwd = modifyPwd
        self.existCluster = existCluster
        self.remindPwd = remindPwd
        self.refURL = refURL
        self.token = token
        self.userName = userName
        self.role = role
    }
}

/// The reference's own top-level fields of `POST /web/v1/access/modify_self_password`.
public struct PasswordChangeResult: Codable, Sendable {
    public let code: Int
    public let description: String

    enum CodingKeys: String, CodingKey {
        case code = "int_result_code"
        case description = "result_desc"
    }

    public init(code: Int, description: String) {
        self.code = code
        self.description = description
    }
}

/// `res_obj` of `GET /web/v1/logout_action`: where to end the CAS grant.
public struct LogoutResult: Codable, Sendable {
    public let refURL: String
    enum CodingKeys: String, CodingKey { case refURL = "ref_URL" }
    public init(refURL: String) { self.refURL = refURL }
}
