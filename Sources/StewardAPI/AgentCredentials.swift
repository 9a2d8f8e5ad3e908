/// Where a host's agent stands with the manager: what the join token and its
/// own credential let it do.
public enum AgentCredentialState: String, Sendable, Codable, Hashable, CaseIterable {
    /// Never joined: the join token may bootstrap it.
    case none = "NONE"
    /// Joined, awaiting an admin's approval (`--approve-new-hosts`): gets no tasks.
    case pending = "PENDING"
    /// Joined: its credential is accepted.
    case active = "ACTIVE"
    /// Revoked by an admin: its credential is refused; the join token may bootstrap it again.
    case revoked = "REVOKED"
}

/// A host's credential as an admin sees it: never the secret.
public struct AgentCredentialView: Codable, Sendable, Hashable {
    public var hostName: String
    public var state: AgentCredentialState
    public var issuedAt: Millis?
    public var lastUsedAt: Millis?
    public var revokedAt: Millis?

    enum CodingKeys: String, CodingKey {
        case state
        case hostName = "host_name"
        case issuedAt = "issued_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
    }

    public init(hostName: String, state: AgentCredentialState, issuedAt: Millis?, lastUsedAt: Millis?, revokedAt: Millis?) {
        self.hostName = hostName
        self.state = state
        self.issuedAt = issuedAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

public struct AgentCredentialList: Codable, Sendable {
    public var credentials: [AgentCredentialView]
    public init(credentials: [AgentCredentialView]) { self.credentials = credentials }
}

/// The new join token, shown once to the admin who rotated it.
public struct RotatedAgentToken: Codable, Sendable {
    public var token: String
    public init(token: String) { self.token = token }
}
