import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import ServiceLifecycle
import StewardAPI
import StewardEngine
import StewardStacks
import StewardStore
import StewardSystem

/// One manager process: the store, the cluster, the command center, the agent
/// hub and the HTTP API over them. This is the composition root: it builds
/// each part from the few others it needs, and each controller from those
/// (`Manager+Routes`); no handler reaches the manager itself.
public final class Manager: Sendable {
    let options: ManagerOptions
    let stack: Stack
    let store: SQLStore
    /// How this manager tells the others on its database that something stored changed, and hears them.
    let notices: any NoticeBoard
    let clock: any TimeSource
    let cluster: ClusterState
    let hub: AgentHub
    let center: CommandCenter
    let progress: ProgressCache
    let credentials: HostCredentials
    let logger: Logger
    let auditor: Auditor
    let auth: Authenticator
    let metrics: MetricsHistory
    let telemetry: Telemetry
    let requestLatency = RequestLatency()
    let streams: StreamLimiter
    /// Reads `notices` and drops or reloads the access copies they make stale (`Manager+Notices`).
    let listener: Task<Void, Never>
    /// The other managers on the database; nil for a lone manager (SQLite).
    let peers: Peers?

    /// Opens the store, creates the cluster on a first start, recovers
    /// unfinished commands. Prints the generated admin password once, if any.
    public static func open(_ options: ManagerOptions, logger: Logger) async throws -> Manager {
        try await open(options, clock: SystemTime(), logger: logger)
    }

    /// The same with a given clock: tests move it by hand to expire sessions and age the audit log.
    /// `notices`: a board shared by several managers in one process (tests); by default, one of its own.
    static func open(_ options: ManagerOptions, clock: any TimeSource, notices: (any NoticeBoard)? = nil,
                     logger: Logger) async throws -> Manager {
        let fm = FileManager.default
        try fm.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true,
                               attributes: [.posixPermissions: 0o700])
        let stack = try StackLoader.load(nameOrPath: options.stack, portShift: options.portShift)
        let sealer = try SecretSealer.loadOrCreate(keyFile: options.keyFile ?? options.dataDirectory + "/secret.key")
        let store: SQLStore
        let board: any NoticeBoard
        if let database = options.database?.settings {
            store = try await PostgresStore.open(database, sealer: sealer, logger: logger)
            do {
                board = try PostgresNoticeBoard(settings: database, store: store, senderId: store.owner, logger: logger)
            } catch {
                await store.close()
                throw error
            }
            logger.info("store: PostgreSQL", metadata: ["database": "\(database.redactedURL)"])
        } else {
            store = try await SQLiteStore.open(path: options.dataDirectory + "/steward.db", sealer: sealer, logger: logger)
            // Tests give two in-process managers on one file one board, standing in for LISTEN/NOTIFY.
            board = notices ?? LocalNoticeBoard()
        }
        do {
            return try await open(options, stack: stack, store: store, notices: board, clock: clock, logger: logger)
        } catch {
            await board.close()
            await store.close()
            throw error
        }
    }

    private static func open(_ options: ManagerOptions, stack: Stack, store: SQLStore, notices: any NoticeBoard,
                             clock: any TimeSource, logger: Logger) async throws -> Manager {
        var options = options
        try await store.migrate()
        // Managers starting at once on one database: one creates the cluster, the admin and version 1, the others find them.
        let firstStart = try await store.lockFirstStart()
        defer { firstStart.release() }

        let record: ClusterRecord
        var created = false
        if let existing = try await store.cluster(id: stack.cluster.id) {
            record = existing
        } else {
            let values = stack.services.flatMap { service in
                service.roles.flatMap { role in
                    role.instanceDefaults.flatMap { host, params in
                        params.map { ConfigValue(scope: .instance(InstanceRef(service: service.name, role: role.name, host: host)),
                                                 name: $0.key, value: $0.value) }
                    }
                }
            }
            let now = clock.now()
            try await store.createCluster(id: stack.cluster.id, name: stack.cluster.name,
                                          description: stack.cluster.description, stack: stack,
                                          values: Configuration.markingSecrets(values, in: stack), now: now)
            record = try await store.cluster(id: stack.cluster.id)
                ?? ClusterRecord(id: stack.cluster.id, name: stack.cluster.name, description: stack.cluster.description,
                                 stackName: stack.name, stackVersion: stack.version, createdAt: now)
            created = true
            logger.info("cluster created", metadata: ["cluster": "\(record.id)", "stack": "\(stack.name)"])
        }
        // The stack's layout is only the first placement: stored once, then the store's topology rules.
        if try await store.seedTopology(Topology(layoutOf: stack, joinedAt: clock.now()), clusterId: record.id) {
            logger.info("placement seeded from the stack's layout", metadata: ["cluster": "\(record.id)"])
        }
        let topology = try await store.topology(clusterId: record.id)
        let heartbeat = HeartbeatPolicy(intervalMs: options.heartbeatIntervalMs, timeoutMs: options.heartbeatTimeoutMs,
                                        maxPerSecond: options.maxHeartbeatsPerSecond).scaled(hosts: topology.hosts.count)
        if heartbeat.intervalMs != options.heartbeatIntervalMs {
            logger.notice("heartbeats scaled to the cluster's size", metadata: [
                "hosts": "\(topology.hosts.count)", "interval_ms": "\(heartbeat.intervalMs)", "timeout_ms": "\(heartbeat.timeoutMs)",
            ])
        }
        options.heartbeatIntervalMs = heartbeat.intervalMs
        options.heartbeatTimeoutMs = heartbeat.timeoutMs
        try await ensureAdmin(store: store, options: options, clock: clock, logger: logger)
        let tokenPath = options.dataDirectory + "/agent.token"
        let credentials = try await HostCredentials.load(
            store: store, notices: notices, clusterId: record.id, tokenPath: tokenPath,
            approveNewHosts: options.approveNewHosts, clock: clock)

        let configuration = Configuration(try await sealingClearSecrets(store: store, stack: stack, cluster: record.id,
                                                                        now: clock.now(), logger: logger))
        // Version 1: the values at creation (a store older than versions starts them from its values now).
        try await store.ensureFirstConfigVersion(
            clusterId: record.id, values: ConfigDiff.snapshot(configuration, in: stack),
            description: created ? "The cluster's values at creation" : "The values when versions began", now: clock.now())
        firstStart.release()
        let cluster = ClusterState(stack: stack, record: record, configuration: configuration, topology: topology)
        let metrics = MetricsHistory(windowMinutes: options.metricsWindowMinutes)
        let hub = AgentHub(hosts: topology.hostNames, heartbeatTimeoutMs: options.heartbeatTimeoutMs,
                           cluster: cluster, metrics: metrics, clock: clock)
        let progress = ProgressCache()
        let telemetry = Telemetry()
        let center = CommandCenter(
            store: store, cluster: cluster, agents: hub, progress: progress, telemetry: telemetry,
            settings: .init(heartbeatTimeoutMs: options.heartbeatTimeoutMs, taskGraceMs: options.taskGraceMs),
            stack: stack, clock: clock, notices: notices, logger: logger)
        var peers: Peers?
        if store.isShared {
            let shared = Peers(store: store, notices: notices, hub: hub, center: center, cluster: cluster,
                               progress: progress, clock: clock, logger: logger)
            await hub.connect(peers: shared)
            await shared.catchUp()
            peers = shared
        }
        // A lone manager resumes every unfinished command; one of several, those whose driver has died.
        try await center.recover(alone: !store.isShared)
        // After recovery: what should run is what operators' commands last left running.
        let restarts = FailureRestarts(stack: stack, clock: clock, logger: logger) { instance, why in
            // Once per instance until an operator acts: never a flood, so never coalesced.
            let entry = AuditEntry(at: clock.now(), user: "system", source: "manager", action: "RESTART_ON_FAILURE_GAVE_UP",
                                   target: "\(instance): \(why)", result: .failure, httpStatus: 0,
                                   errorCode: ErrorCode.taskFailed.rawValue, commandId: nil)
            do { try await store.appendAudit(entry) } catch {
                logger.error("could not write the audit log", metadata: ["action": "RESTART_ON_FAILURE_GAVE_UP", "error": "\(error)"])
            }
        }
        restarts.connect(center, lastOperations: try await store.lastOperations(clusterId: record.id))
        await center.watch(restarts)
        await hub.connect(center, restarts: restarts)
        return Manager(options: options, stack: stack, store: store, notices: notices, clock: clock, cluster: cluster, hub: hub,
                       center: center, progress: progress, metrics: metrics, telemetry: telemetry, credentials: credentials,
                       peers: peers, logger: logger)
    }

    init(options: ManagerOptions, stack: Stack, store: SQLStore, notices: any NoticeBoard, clock: any TimeSource, cluster: ClusterState, hub: AgentHub,
         center: CommandCenter, progress: ProgressCache, metrics: MetricsHistory, telemetry: Telemetry,
         credentials: HostCredentials, peers: Peers?, logger: Logger) {
        self.peers = peers
        self.options = options
        self.stack = stack
        self.store = store
        self.notices = notices
        self.clock = clock
        self.cluster = cluster
        self.hub = hub
        self.center = center
        self.progress = progress
        self.credentials = credentials
        self.logger = logger
        self.telemetry = telemetry
        self.metrics = metrics
        let auditor = Auditor(store: store, clock: clock, logger: logger)
        self.auditor = auditor
        self.auth = Authenticator(
            store: store, cache: CredentialCache(ttlSeconds: options.credentialCacheSeconds, clock: clock),
            sessions: SessionStore(idleSeconds: options.sessionIdleSeconds, maxAgeSeconds: options.sessionMaxSeconds,
                                   limits: .init(perUser: options.maxSessionsPerUser, total: options.maxSessions), clock: clock,
                                   shared: .init(store: store, notices: notices)),
            throttle: LoginThrottle(limit: options.loginFailureLimit, lockSeconds: options.loginLockSeconds, clock: clock, store: store),
            pool: HashPool(concurrency: options.passwordHashConcurrency, queue: options.passwordHashQueue),
            auditor: auditor,
            notices: notices,
            decoyHash: (try? PasswordHasher.hash(PasswordHasher.generatePassword(), rounds: options.passwordHashRounds)) ?? "",
            hashRounds: options.passwordHashRounds,
            tls: options.tls)
        self.streams = StreamLimiter(perUser: options.maxStreamsPerUser)
        self.listener = Self.listen(to: notices, auth: auth, credentials: credentials, logger: logger)
    }

    deinit { listener.cancel() }

    /// What the timer does: drops expired sessions and tickets and login
    /// failures a day old (in the store, for every manager), prunes the audit log past its retention.
    func housekeep() async {
        do {
            try await auth.sessions.sweep()
            _ = try await store.pruneLoginFailures(before: clock.now() - LoginThrottle.dayMs)
        } catch {
            logger.warning("could not sweep sessions and login failures", metadata: ["error": "\(error)"])
        }
        await auditor.prune(retentionDays: options.auditRetentionDays)
        // Idempotency keys name their command for 24 h; older ones are unknown already, and go.
        _ = try? await store.pruneIdempotencyKeys(before: clock.now() - IdempotencyKey.lifetimeMs)
    }

    /// The OpenAPI 3 document of the whole API.
    public static var openAPIDocument: String { OpenAPIDocument.yaml }

    /// Serves until SIGTERM or SIGINT, then stops accepting, answers waiting
    /// agent polls, lets requests and transitions finish, and closes the store.
    public func run() async throws {
        let app = Application(
            router: router(),
            server: try serverBuilder(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "steward"),
            onServerRunning: { [options, logger] channel in
                let port = channel.localAddress?.port ?? options.port
                let url = "\(options.tls ? "https" : "http")://\(options.host):\(port)"
                try? (url + "\n").write(toFile: options.dataDirectory + "/manager.url", atomically: true, encoding: .utf8)
                logger.info("manager listening", metadata: ["url": "\(url)"])
            },
            logger: logger)
        let ticks = TickService(center: center, hub: hub, progress: progress, tickMs: 200)
        let housekeeping = Housekeeping(interval: .seconds(options.housekeepingSeconds)) { [self] in await housekeep() }
        var services: [any Service] = [app, ticks, housekeeping]
        if let peers { services.append(PeerService(peers: peers)) }
        // Reverse order on shutdown: the tick service stops first and releases
        // the long polls, so that the HTTP server does not wait out their timeout.
        var config = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        config.maximumGracefulShutdownDuration = .seconds(15)
        let group = ServiceGroup(configuration: config)
        do {
            try await group.run()
        } catch {
            // A port already taken ends the server at once: the store still closes cleanly.
            await notices.close()
            await store.close()
            throw error
        }
        listener.cancel()
        await notices.close()
        await store.close()
        logger.info("manager stopped")
    }

    /// HTTP/1.1, over TLS when a certificate and key are given; lean per
    /// connection: each request in a child task of its own, so that an idle
    /// keep-alive connection does not keep the memory of its last request's
    /// frames, and a 1 KiB first receive buffer (`HTTPServerSetup.swift`).
    func serverBuilder() throws -> HTTPServerBuilder {
        guard let certPath = options.tlsCertificatePath, let keyPath = options.tlsKeyPath else { return .leanHTTP1() }
        let chain = try NIOSSLCertificate.fromPEMFile(certPath).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return try .tls(.leanHTTP1(), tlsConfiguration: tls)
    }

    static func ensureAdmin(store: any Store, options: ManagerOptions, clock: any TimeSource, logger: Logger) async throws {
        guard try await store.userCount() == 0 else { return }
        let given = options.adminPassword.flatMap { $0.isEmpty ? nil : $0 }
        let password = given ?? PasswordHasher.generatePassword()
        let hash = try PasswordHasher.hash(password, rounds: options.passwordHashRounds)
        try await store.insertUser(UserRecord(name: "admin", passwordHash: hash, role: .admin,
                                              mustChangePassword: given == nil, createdAt: clock.now()))
        if given == nil {
            // Printed once, to the terminal only; never logged.
            // Written at once: through a pipe, print's buffer would hold it until the manager exits.
            FileHandle.standardOutput.write(Data("Generated password for user 'admin' (shown once): \(password)\n".utf8))
        }
        logger.info("user admin created")
    }

    /// The stored configuration; PASSWORD values stored clear (before sealing
    /// existed, or by a stack that made a parameter a PASSWORD since) are sealed now.
    static func sealingClearSecrets(store: SQLStore, stack: Stack, cluster: Int, now: Millis,
                                    logger: Logger) async throws -> [ConfigValue] {
        let stored = try await store.configValues(clusterId: cluster)
        let marked = Configuration.markingSecrets(stored, in: stack)
        let clear = zip(stored, marked).filter { !$0.0.secret && $0.1.secret }.map(\.1)
        if !clear.isEmpty {
            try await store.reseal(clear, clusterId: cluster, now: now)
            logger.info("sealed password values stored clear", metadata: ["count": "\(clear.count)"])
        }
        // The same in the versions, whose values and changes keep what was saved then.
        let versions = try await store.resealConfigVersions(clusterId: cluster) { scope, name in
            Configuration.markingSecrets([ConfigValue(scope: scope, name: name, value: "")], in: stack)[0].secret
        }
        if versions > 0 { logger.info("sealed password values stored clear in versions", metadata: ["count": "\(versions)"]) }
        return marked
    }
}

/// Ticks the agent hub (lost hosts) and the command center (timeouts) and, on shutdown, answers
/// the agents' waiting polls.
struct TickService: Service {
    let center: CommandCenter
    let hub: AgentHub
    let progress: ProgressCache
    let tickMs: Int

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(tickMs))
                await hub.checkHeartbeats()
                await center.tick()
                ticks += 1
                // Leases last 5 s: renewed each second, and a dead driver's taken over within 6.
                if ticks % max(1, 1000 / tickMs) == 0 { await center.keepLeases() }
            }
        }
        // Another manager takes this one's commands over at once rather than when their leases run out.
        await center.releaseLeases()
        await hub.close()
        progress.close()
    }
}
