/// Filters of the command history (`GET /web/v1/common/commands`), as a client
/// asks for them and the store applies them; nil matches everything, and an
/// absent `limit` or `offset` is the server's default (50, 0). Newest first.
public struct CommandFilter: Sendable {
    public var state: CommandState?
    public var kind: CommandKind?
    public var service: String?
    public var user: String?
    public var from: Millis?
    public var to: Millis?
    public var limit: Int?
    public var offset: Int?
    public init() {}

    /// The query string's parameters, by name; nil is absent.
    public var queryParameters: [String: String?] {
        ["state": state?.rawValue, "kind": kind?.rawValue, "service_name": service, "user": user,
         "from": from.map(String.init), "to": to.map(String.init), "limit": limit.map(String.init), "offset": offset.map(String.init)]
    }
}

/// Filters of the audit log (`GET /web/v1/audit`), likewise; the default limit is 100.
public struct AuditFilter: Sendable {
    public var user: String?
    public var action: String?
    public var result: AuditResult?
    public var from: Millis?
    public var to: Millis?
    public var limit: Int?
    public var offset: Int?
    public init() {}

    /// The query string's parameters, by name; nil is absent.
    public var queryParameters: [String: String?] {
        ["user": user, "action": action, "result": result?.rawValue, "from": from.map(String.init),
         "to": to.map(String.init), "limit": limit.map(String.init), "offset": offset.map(String.init)]
    }
}
