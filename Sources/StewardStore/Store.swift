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

/// A host's agent credential: only the SHA-256 digest of its secret is kept.
public struct AgentCredentialRecord: Sendable, Hashable {
    public var host: String
    /// Hex SHA-256 of the secret; empty once revoked.
    public var secretDigest: String
    public var state: AgentCredentialState
    public var issuedAt: Millis
    public var lastUsedAt: Millis?
    public var revokedAt: Millis?

    public init(host: String, secretDigest: String, state: AgentCredentialState, issuedAt: Millis,
                lastUsedAt: Millis? = nil, revokedAt: Millis? = nil) {
        self.host = host
        self.secretDigest = secretDigest
        self.state = state
        self.issuedAt = issuedAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// The manager's durable state. Two implementations share one SQL text where
/// they can: SQLite (embedded, the default) and PostgreSQL (several managers).
///
/// Every method completes its write before it returns: callers report a
/// transition only after the store has it.
public protocol Store: SharedStore {
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
    /// Adds a failure to an alike entry written since `since` (its count grows), else appends it.
    @discardableResult
    func appendAudit(_ entry: AuditEntry, coalescingSince since: Millis) async throws -> Bool
    /// Deletes the entries older than `before` (the retention); returns how many.
    func pruneAudit(before: Millis) async throws -> Int
    func audit(_ query: AuditFilter) async throws -> [AuditEntry]

    func cluster(id: Int) async throws -> ClusterRecord?
    func clusters() async throws -> [ClusterRecord]
    /// Creates a cluster with its initial placement (the stack's layout) and
    /// initial configuration values, atomically.
    func createCluster(id: Int, name: String, description: String, stack: Stack, values: [ConfigValue], now: Millis) async throws
    func configValues(clusterId: Int) async throws -> [ConfigValue]
    /// Stores values again as they are marked (a secret one sealed), outside any command.
    func reseal(_ values: [ConfigValue], clusterId: Int, now: Millis) async throws

    /// Stores a new command with its steps and tasks, and the configuration
    /// values it saves, in one transaction. Returns it with its ids assigned.
    /// A configuration save gives the version it makes too, stored in the same
    /// transaction and numbered next (its `number` and `commandId` are assigned).
    /// With an idempotency key, the key is stored in that transaction too; a
    /// live key stored first by another request throws `IdempotencyConflict`
    /// and stores nothing.
    func insert(_ command: Command, saving values: [ConfigValue], version: ConfigVersion?, idempotency: IdempotencyKey?,
                now: Millis) async throws -> Command
    /// Writes what transitions changed, in one transaction: each command's row,
    /// its changed steps and tasks. Many results make one write, not one each.
    func save(_ batch: [(command: Command, change: CommandChange)]) async throws
    func command(id: Int64) async throws -> Command?
    func unfinishedCommands() async throws -> [Command]
    /// Commands without their steps, newest first, with the total that match.
    func commands(_ query: CommandFilter) async throws -> (total: Int, commands: [CommandSummary])
    /// Each instance's last successful start or stop, by operators' commands
    /// (not the manager's own restarts): whether it should be running, which
    /// is what `restart_on_failure` restores, across a manager restart too.
    func lastOperations(clusterId: Int) async throws -> [InstanceRef: Operation]

    /// Stores version 1, the configuration as `values`, unless the cluster has a version: true if it stored it.
    @discardableResult
    func ensureFirstConfigVersion(clusterId: Int, values: [ConfigValue], description: String, now: Millis) async throws -> Bool
    /// Versions newest first, with what each changed but not their values, and how many there are.
    func configVersions(clusterId: Int, offset: Int, limit: Int) async throws -> (total: Int, versions: [ConfigVersion])
    /// One version with its values and changes, secrets opened.
    func configVersion(clusterId: Int, number: Int) async throws -> ConfigVersion?

    /// Seals, in every version, the values `secret` says are PASSWORDs and that were stored clear
    /// (a stack made the parameter one since): how many it sealed.
    func resealConfigVersions(clusterId: Int, secret: @escaping @Sendable (ConfigScope, String) -> Bool) async throws -> Int

    /// The cluster's hosts and placed instances (`SQLStore+Topology`).
    func topology(clusterId: Int) async throws -> Topology
    /// Stores a topology whose roles have never been numbered (a new cluster,
    /// or a store from before placement was stored); false, and nothing
    /// written, when ordinals exist already.
    func seedTopology(_ topology: Topology, clusterId: Int) async throws -> Bool
    /// Inserts a host, or updates its facts and state.
    func saveHost(_ host: HostRecord, clusterId: Int) async throws
    /// Deletes a host that has no instances.
    func forgetHost(_ name: String, clusterId: Int) async throws
    /// Stores a new command together with the instance it places (and its idempotency key, as above), atomically.
    func insert(_ command: Command, placing instance: PlacedInstance, idempotency: IdempotencyKey?, now: Millis) async throws -> Command
    /// Deletes instances and the values set for them, in one transaction.
    func removeInstances(_ refs: [InstanceRef], clusterId: Int) async throws

    /// The live (under 24 h old) key `key` of `user`: the request it came with and the command it made.
    func idempotencyRecord(user: String, key: String, now: Millis) async throws -> IdempotencyRecord?
    /// Deletes the keys made before `before`; returns how many.
    func pruneIdempotencyKeys(before: Millis) async throws -> Int

    /// The hosts of a cluster that have been issued an agent credential.
    func agentCredentials(clusterId: Int) async throws -> [AgentCredentialRecord]
    /// Inserts or replaces a host's credential.
    func saveAgentCredential(_ record: AgentCredentialRecord, clusterId: Int) async throws
    /// Records when a host's credential was last used.
    func touchAgentCredential(host: String, clusterId: Int, at: Millis) async throws

    func close() async
}

extension Store {
    /// A command that saves no configuration version.
    public func insert(_ command: Command, saving values: [ConfigValue], now: Millis) async throws -> Command {
        try await insert(command, saving: values, version: nil, idempotency: nil, now: now)
    }

    /// A command made without an idempotency key.
    public func insert(_ command: Command, saving values: [ConfigValue], version: ConfigVersion?, now: Millis) async throws -> Command {
        try await insert(command, saving: values, version: version, idempotency: nil, now: now)
    }

    /// A placement made without an idempotency key.
    public func insert(_ command: Command, placing instance: PlacedInstance, now: Millis) async throws -> Command {
        try await insert(command, placing: instance, idempotency: nil, now: now)
    }

    /// Writes what one transition changed.
    public func save(_ command: Command, change: CommandChange) async throws {
        try await save([(command, change)])
    }
}

/// Several managers on one database (`SQLStore+Leases`, `SQLStore+Mail`).
public protocol SharedStore: Sendable {
    /// This process, as the holder of leases.
    var owner: String { get }
    func renewLeases(now: Millis) async throws -> Set<Int64>
    func claimCommands(now: Millis, fromEveryone: Bool, limit: Int) async throws -> [Command]
    func releaseLeases(now: Millis) async throws
    func post(_ tasks: [AgentTask], host: String, now: Millis) async throws
    func takeMail(host: String) async throws -> [AgentTask]
    func deliver(_ item: InboxItem, now: Millis) async throws -> Int64?
    func takeInbox(commands: [Int64]) async throws -> [InboxItem]
    func savePresence(_ p: HostPresence) async throws
    func presence(host: String) async throws -> HostPresence?
    func presences() async throws -> [HostPresence]
}
