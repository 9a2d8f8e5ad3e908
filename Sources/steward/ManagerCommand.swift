import ArgumentParser
import Foundation
import Logging
import StewardAPI
import StewardManager

struct ManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager", abstract: "Run the manager: the HTTP API, the command center and the store.")

    @Option(help: "Directory for the SQLite store, the agent token and manager.url.")
    var dataDir: String = "steward-data/manager"

    @Option(help: "PostgreSQL database shared by several managers: postgres://USER@HOST:PORT/DB[?sslmode=disable|require|verify-full]. Default: SQLite in --data-dir. A password in the URL shows in ps: prefer --database-password-file or STEWARD_DATABASE_PASSWORD.")
    var database: String?

    @Option(help: "File holding the database user's password (first line); else the URL's, else STEWARD_DATABASE_PASSWORD.")
    var databasePasswordFile: String?

    @Option(help: "PEM file of the certificate authorities that sign the database server's certificate (implies TLS, verified).")
    var databaseCaFile: String?

    @Option(help: "The database cancels a statement running longer than this (milliseconds; 0: never).")
    var databaseStatementTimeoutMs: Int = 15_000

    @Option(help: "Key sealing PASSWORD values (created if missing). Every manager on one database must use the same key. Default: <data-dir>/secret.key.")
    var keyFile: String?

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (written to <data-dir>/manager.url).")
    var port: Int = 9443

    @Option(help: "Stack used when the cluster is first created: a bundled name or a stack file.")
    var stack: String = "demo"

    @Option(help: "Added to every PORT value of the stack, to run several clusters on one machine.")
    var portShift: Int = 0

    @Option(help: "Password of the first 'admin' user. For demos only: any user of the host can read it in ps; use --admin-password-file or STEWARD_ADMIN_PASSWORD.")
    var adminPassword: String?

    @Option(help: "File holding the password of the first 'admin' user (else STEWARD_ADMIN_PASSWORD, else generated and printed once).")
    var adminPasswordFile: String?

    @Option(help: "How often agents send a heartbeat, in milliseconds.")
    var heartbeatIntervalMs: Int = 1000

    @Option(help: "A host without a heartbeat for this long is lost and its running tasks fail.")
    var heartbeatTimeoutMs: Int = 5000

    @Option(help: "Heartbeats a second the manager aims to take: with more hosts than this, the heartbeat interval and timeout grow in proportion (0: never).")
    var maxHeartbeatsPerSecond: Int = 1000

    @Option(help: "A web session unused this long ends (seconds).")
    var sessionIdleSeconds: Int = 1800

    @Option(help: "A web session ends this long after login (seconds).")
    var sessionMaxSeconds: Int = 43200

    @Option(help: "Failed logins of one user before it is refused for --login-lock-seconds.")
    var loginFailureLimit: Int = 5

    @Option(help: "How long a user with too many failed logins is refused (seconds).")
    var loginLockSeconds: Int = 300

    @Option(help: "Web sessions (and, apart, CAS grants) one user may hold; the oldest ends first.")
    var maxSessionsPerUser: Int = 64

    @Option(help: "Web sessions, CAS grants, login tickets and service tickets kept, each; the oldest ends first.")
    var maxSessions: Int = 10_000

    @Option(help: "Event streams and long polls one user may hold open at once (beyond: 429).")
    var maxStreamsPerUser: Int = 32

    @Option(help: "Audit log entries older than this many days are pruned.")
    var auditRetentionDays: Int = 90

    @Option(help: "PEM certificate chain: with --tls-key, the manager serves HTTPS only.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Hold a host's first join as PENDING, with no tasks, until an admin approves it (steward agents approve HOST).")
    var approveNewHosts = false

    @Option(help: "How often agents sample their host's metrics (milliseconds).")
    var metricsIntervalMs: Int = 5000

    @Option(help: "How long host metrics are kept (minutes).")
    var metricsWindowMinutes: Int = 60

    @Option(help: .hidden)
    var passwordHashRounds: Int = PasswordHasher.defaultRounds

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = LogSetup.logger("steward.manager", level: logLevel)
        let manager = try await Manager.open(options(), logger: logger)
        try await manager.run()
    }

    func options() throws -> ManagerOptions {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535") }
        guard heartbeatIntervalMs > 0, heartbeatTimeoutMs > heartbeatIntervalMs else {
            throw ValidationError("--heartbeat-timeout-ms must exceed --heartbeat-interval-ms")
        }
        guard passwordHashRounds >= 10_000 else { throw ValidationError("--password-hash-rounds must be at least 10000") }
        var options = ManagerOptions(dataDirectory: dataDir)
        options.passwordHashRounds = passwordHashRounds
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("give --tls-cert and --tls-key together") }
        options.tlsCertificatePath = tlsCert
        options.tlsKeyPath = tlsKey
        guard sessionIdleSeconds > 0, sessionMaxSeconds > 0, loginFailureLimit > 0, loginLockSeconds > 0 else {
            throw ValidationError("session and login limits must be positive")
        }
        options.sessionIdleSeconds = sessionIdleSeconds
        options.sessionMaxSeconds = sessionMaxSeconds
        options.loginFailureLimit = loginFailureLimit
        options.loginLockSeconds = loginLockSeconds
        guard maxSessionsPerUser > 0, maxSessions >= maxSessionsPerUser, maxStreamsPerUser > 0, auditRetentionDays > 0 else {
            throw ValidationError("--max-sessions-per-user, --max-streams-per-user and --audit-retention-days must be positive; --max-sessions at least --max-sessions-per-user")
        }
        options.maxSessionsPerUser = maxSessionsPerUser
        options.maxSessions = maxSessions
        options.maxStreamsPerUser = maxStreamsPerUser
        options.auditRetentionDays = auditRetentionDays
        guard metricsIntervalMs >= 100, (1...10080).contains(metricsWindowMinutes) else {
            throw ValidationError("--metrics-interval-ms must be at least 100, --metrics-window-minutes 1-10080")
        }
        options.metricsIntervalMs = metricsIntervalMs
        options.metricsWindowMinutes = metricsWindowMinutes
        options.host = host
        options.port = port
        options.stack = stack
        options.portShift = portShift
        options.adminPassword = try adminPassword ?? adminPasswordFile.map { try Self.readPassword($0) }
            ?? ProcessInfo.processInfo.environment["STEWARD_ADMIN_PASSWORD"]
        options.heartbeatIntervalMs = heartbeatIntervalMs
        options.heartbeatTimeoutMs = heartbeatTimeoutMs
        guard maxHeartbeatsPerSecond >= 0 else { throw ValidationError("--max-heartbeats-per-second must be 0 or more") }
        options.maxHeartbeatsPerSecond = maxHeartbeatsPerSecond
        options.approveNewHosts = approveNewHosts
        options.keyFile = keyFile
        options.database = try databaseSettings()
        return options
    }

    /// The PostgreSQL settings, when --database is given: the password from the
    /// file, else the URL, else the environment.
    func databaseSettings() throws -> DatabaseOptions? {
        guard let database else {
            guard databasePasswordFile == nil, databaseCaFile == nil else {
                throw ValidationError("--database-password-file and --database-ca-file need --database")
            }
            return nil
        }
        var settings = DatabaseOptions(url: database, caFile: databaseCaFile)
        if let file = databasePasswordFile {
            settings.password = try Self.readPassword(file, option: "--database-password-file")
        } else if !settings.urlHasPassword {
            settings.password = ProcessInfo.processInfo.environment["STEWARD_DATABASE_PASSWORD"]
        }
        guard databaseStatementTimeoutMs >= 0 else { throw ValidationError("--database-statement-timeout-ms must be 0 or more") }
        settings.statementTimeoutMs = databaseStatementTimeoutMs
        do { try settings.check() } catch let error as StewardError { throw ValidationError(error.message) }
        return settings
    }

    /// The first line of a password file; an empty or unreadable file is refused, never taken as "no password".
    static func readPassword(_ path: String, option: String = "--admin-password-file") throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read \(option) \(path)")
        }
        let password = String(text.prefix { $0 != "\n" && $0 != "\r" })
        guard !password.isEmpty else { throw ValidationError("\(option) \(path) is empty") }
        return password
    }
}
