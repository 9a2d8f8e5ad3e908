import StewardAPI
import StewardEngine

/// A user of the API. `passwordHash` is a self-describing slow salted hash.
public struct UserRecord: Sendable, Hashable {
    public var name: String
    public var passwordHash: String
    public var role: UserRole
    public var mustChangePassword: Bool
    public var createdAt: Millis

    public init(name: String, passwordHash: String, role: UserRole, mustChangePassword: Bool, createdAt: Millis) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.mustChangePassword = mustChangePassword
        self.createdAt = createdAt
    }
}

/// A cluster as created from a stack.
public struct ClusterRecord: Sendable, Hashable {
    public var id: Int
    public var name: String
    public var description: String
    public var stackName: String
    public var stackVersion: String
    public var createdAt: Millis

    public init(id: Int, name: String, description: String, stackName: String, stackVersion: String, createdAt: Millis) {
        self.id = id
        self.name = name
        self.description = description
        self.stackName = stackName
        self.stackVersion = stackVersion
        self.createdAt = createdAt
    }
}

/// The manager's durable state. Two implementations share one SQL text where
/// they can: SQLite (embedded, the default) and PostgreSQL (several managers).
///
/// Every method completes its write before it returns: callers report a
/// transition only after the store has it.
public protocol Store: Sendable {
    /// Applies the migrations not yet applied, in order. Idempotent.
    func migrate() async throws

    func user(named name: String) async throws -> UserRecord?
    func userCount() async throws -> Int
    func insertUser(_ user: UserRecord) async throws

    func users() async throws -> [UserRecord]
    /// Changes what is given; false if there is no such user.
    func updateUser(_ name: String, passwordHash: String?, role: UserRole?, mustChangePassword: Bool?) async throws -> Bool
    func deleteUser(_ name: String) async throws -> Bool
    /// Replaces the password hash only if it is still `old` (a stronger hash of
    /// the same password, made at login): false if it changed meanwhile.
    func replacePasswordHash(_ name: String, from old: String, to new: String) async throws -> Bool

    func appendAudit(_ entry: AuditEntry) async throws
    func audit(_ query: AuditFilter) async throws -> [AuditEntry]

    func cluster(id: Int) async throws -> ClusterRecord?
    func clusters() async throws -> [ClusterRecord]
    /// Creates a cluster with its hosts and initial configuration values, atomically.
    func createCluster(id: Int, name: String, description: String, stack: Stack, values: [ConfigValue], now: Millis) async throws
    func configValues(clusterId: Int) async throws -> [ConfigValue]

    /// Stores a new command with its steps and tasks, and the configuration
    /// values it saves, in one transaction. Returns it with its ids assigned.
    func insert(_ command: Command, saving values: [ConfigValue], now: Millis) async throws -> Command
    /// Writes what a transition changed: the command row, the changed steps and tasks.
    func save(_ command: Command, change: CommandChange) async throws
    func command(id: Int64) async throws -> Command?
    func unfinishedCommands() async throws -> [Command]
    /// Commands without their steps, newest first, with the total that match.
    func commands(_ query: CommandFilter) async throws -> (total: Int, commands: [CommandSummary])

    func close() async
}
