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
    public var role: String
    public var modifyPwd: Bool
    public var createTime: Millis

    enum CodingKeys: String, CodingKey {
        case role
        case userName = "user_name"
        case modifyPwd = "modify_pwd"
        case createTime = "create_time"
    }

    public init(userName: String, role: String, modifyPwd: Bool, createTime: Millis) {
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

    /// nil when acceptable; else why not.
    public static func policyProblem(user: String, old: String, new: String) -> String? {
        if new.count < 8 { return "The new password must have at least 8 characters." }
        if new.count > 128 { return "The new password must have at most 128 characters." }
        if new == old { return "The new password must differ from the old one." }
        if new.lowercased().contains(user.lowercased()) { return "The new password must not contain the user name." }
        let classes = [new.contains(where: \.isLowercase), new.contains(where: \.isUppercase),
                       new.contains(where: \.isNumber), new.contains(where: { !$0.isLetter && !$0.isNumber })]
        if classes.filter({ $0 }).count < 2 {
            return "The new password must mix at least two of: lower case, upper case, digits, other characters."
        }
        return nil
    }
}
