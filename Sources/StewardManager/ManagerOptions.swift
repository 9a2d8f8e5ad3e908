import Foundation
import StewardStore

/// Settings of one manager process; `steward manager` fills them from flags.
public struct ManagerOptions: Sendable {
    /// Directory of the SQLite file, the agent token and `manager.url`.
    public var dataDirectory: String
    /// The PostgreSQL database several managers share; nil: SQLite in the data directory.
    public var database: DatabaseOptions?
    /// The key sealing PASSWORD values; every manager on one database must use the same one.
    /// nil: `<data>/secret.key`, created on first use.
    public var keyFile: String?
    public var host: String = "127.0.0.1"
    /// 0 picks a free port; the chosen URL is written to `<data>/manager.url`.
    public var port: Int = 9443
    /// A bundled stack name or a stack file path, used when the cluster is first created.
    public var stack: String = "demo"
    /// Added to every PORT value of the stack (several demo clusters on one machine).
    public var portShift: Int = 0
    public var adminPassword: String?
    public var heartbeatIntervalMs: Int = 1000
    /// A host is lost after this long without a heartbeat; its running tasks fail.
    public var heartbeatTimeoutMs: Int = 5000
    /// Heartbeats a second the manager aims to take: past that many hosts the
    /// interval and timeout grow with the cluster (`HeartbeatPolicy`). 0: never.
    public var maxHeartbeatsPerSecond: Int = 1000
    /// Extra time the manager waits past a task's own timeout for the agent's report.
    public var taskGraceMs: Int = 5000
    public var pollTimeoutMs: Int = 20000
    /// How often agents sample their host's metrics, and how long the manager keeps them.
    public var metricsIntervalMs: Int = 5000
    public var metricsWindowMinutes: Int = 60
    /// Request bodies above this are refused with 413.
    public var maxBodyBytes: Int = 1 << 20
    /// How long a verified credential is remembered.
    public var credentialCacheSeconds: Double = 60
    /// PBKDF2 rounds of new hashes. Lower only in tests that create many users.
    public var passwordHashRounds: Int = PasswordHasher.defaultRounds
    /// Password hashes computed at once, and how many more may wait; beyond that a check is refused (429).
    public var passwordHashConcurrency: Int = 2
    public var passwordHashQueue: Int = 8
    /// PEM certificate chain and private key: with both, the manager serves HTTPS only.
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    public var tls: Bool { tlsCertificatePath != nil && tlsKeyPath != nil }
    /// A web session or CAS ticket unused this long ends.
    public var sessionIdleSeconds: Int = 1800
    /// A web session or CAS ticket ends this long after login, used or not.
    public var sessionMaxSeconds: Int = 12 * 3600
    /// Failed logins of one user from one address before that pair is refused for `loginLockSeconds`,
    /// doubling with each further failure (an address gets four times as many across all users).
    public var loginFailureLimit: Int = 5
    public var loginLockSeconds: Int = 300
    /// A host's first join is held PENDING (no tasks) until an admin approves it.
    public var approveNewHosts = false
    /// Web sessions (and, apart, CAS grants) one user may hold; the oldest goes first.
    public var maxSessionsPerUser: Int = 64
    /// Web sessions, CAS grants, login tickets and service tickets kept, each; the oldest goes first.
    public var maxSessions: Int = 10_000
    /// Audit entries older than this are pruned.
    public var auditRetentionDays: Int = 90
    /// Event streams and long polls one user may hold open at once.
    public var maxStreamsPerUser: Int = 32
    /// How often expired sessions and tickets are swept and the audit log pruned.
    public var housekeepingSeconds: Int = 60

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}

/// Where the PostgreSQL store is and how to reach it (`steward manager --database …`).
public struct DatabaseOptions: Sendable {
    /// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]`.
    public var url: String
    /// Wins over the URL's (from `--database-password-file` or `STEWARD_DATABASE_PASSWORD`).
    public var password: String?
    /// PEM certificate authorities for the server's certificate; implies verified TLS.
    public var caFile: String?
    /// The server cancels a statement running longer than this (0: never).
    public var statementTimeoutMs: Int = 15_000

    public init(url: String, password: String? = nil, caFile: String? = nil) {
        self.url = url
        self.password = password
        self.caFile = caFile
    }

    /// The URL's password, if it has one.
    public var urlHasPassword: Bool { URLComponents(string: url)?.password != nil }

    /// Refuses a URL or TLS mode that cannot work, before anything starts.
    public func check() throws { _ = try settings.configuration() }

    var settings: PostgresSettings {
        var s = PostgresSettings(url: url, password: password, caFile: caFile)
        s.statementTimeoutMs = statementTimeoutMs
        return s
    }
}
