import StewardAPI

/// An `Idempotency-Key` as a request gave it: whose it is (keys are per user:
/// the same text from two users is two keys) and what the request was.
public struct IdempotencyKey: Sendable, Hashable {
    /// How long a key names its command: a key older than this is unknown
    /// (replaced when sent again) and Housekeeping deletes it.
    public static let lifetimeMs: Millis = 24 * 3600 * 1000

    public var user: String
    public var key: String
    /// Hex SHA-256 of the request's method, path and canonical body.
    public var fingerprint: String

    public init(user: String, key: String, fingerprint: String) {
        self.user = user
        self.key = key
        self.fingerprint = fingerprint
    }
}

/// A stored key: the request it came with and the command that request made.
public struct IdempotencyRecord: Sendable, Hashable {
    public var fingerprint: String
    public var commandId: Int64
    public var createdAt: Millis

    public init(fingerprint: String, commandId: Int64, createdAt: Millis) {
        self.fingerprint = fingerprint
        self.commandId = commandId
        self.createdAt = createdAt
    }
}

/// Thrown by an insert whose key another request stored first (another
/// manager, or the same one): nothing of the insert was stored; `existing`
/// is what the key names.
public struct IdempotencyConflict: Error, Sendable {
    public var existing: IdempotencyRecord

    public init(existing: IdempotencyRecord) { self.existing = existing }
}
