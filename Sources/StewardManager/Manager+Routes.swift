import Hummingbird
import StewardAPI
import StewardEngine

/// Every route of the manager, by area: each controller is built here from
/// the few parts it needs and lists its own routes.
extension Manager {
    public func router() -> Router<StewardRequestContext> {
        let router = Router(context: StewardRequestContext.self)
        let routeTable = RouteTable()
        router.add(middleware: RequestLatencyMiddleware(latency: requestLatency))
        router.add(middleware: ErrorMiddleware(logger: logger, routes: routeTable))
        let audit = AuditTrail(auditor: auditor, logger: logger)
        let limit = options.maxBodyBytes

        CASController(auth: auth, auditor: auditor).addRoutes(to: router)
        WebController().addRoutes(to: router)
        let web = router.group("/web/v1")
        // `authenticated` is for what a user who must change the initial password may
        // still do (change it, log out); every other route is behind the gate too.
        let authenticated = web.group().add(middleware: AuthMiddleware(auth: auth))
        let api = authenticated.group().add(middleware: PasswordChangeGate())
        let inCluster = ClusterMiddleware(clusterId: stack.cluster.id)
        let cluster = api.group("cluster/:cluster_id").add(middleware: inCluster)

        AccessController(auth: auth, users: store, audit: audit, bodyLimit: limit)
            .addRoutes(web: web, api: authenticated)
        UserController(users: store, auth: auth, audit: audit, clock: clock, bodyLimit: limit)
            .addRoutes(api: api)
        AuditController(log: store).addRoutes(api: api)
        ClusterController(stack: stack, cluster: self.cluster, hub: hub, center: center, credentials: credentials)
            .addRoutes(api: api, cluster: cluster)
        let config = api.group("config/cluster/:cluster_id")
        ConfigurationController(stack: stack, cluster: self.cluster, center: center, audit: audit, bodyLimit: limit)
            .addRoutes(cluster: cluster, config: config, inCluster: inCluster)
        ConfigVersionController(stack: stack, cluster: self.cluster, center: center, versions: store, audit: audit, bodyLimit: limit)
            .addRoutes(config: config, inCluster: inCluster)
        CommandController(center: center, progress: progress, history: store, stack: stack, audit: audit, bodyLimit: limit,
                          streams: streams)
            .addRoutes(maintain: api.group("maintain/cluster/:cluster_id"), inCluster: inCluster, common: api.group("common"))
        MonitoringController(hosts: stack.cluster.hosts, history: metrics, hub: hub, telemetry: telemetry, latency: requestLatency,
                             sessions: auth.sessions, passwords: auth.pool, clock: clock)
            .addRoutes(root: router, scrape: router.group().add(middleware: AuthMiddleware(auth: auth)).add(middleware: PasswordChangeGate()),
                       api: api)
        OpenAPIController().addRoutes(api: api)
        AgentController(hub: hub, credentials: credentials, auditor: auditor, welcome: welcome, bodyLimit: limit, logger: logger)
            .addRoutes(to: router)
        AgentCredentialController(credentials: credentials, hub: hub, stack: stack, audit: audit)
            .addRoutes(api: api, inCluster: inCluster)

        routeTable.load(router.routes.map { ($0.method.rawValue, $0.path.description) })
        requestLatency.load(routes: router.routes.map { ($0.method, $0.path.description) })
        return router
    }

    var welcome: AgentWelcome {
        AgentWelcome(heartbeatIntervalMs: options.heartbeatIntervalMs, pollTimeoutMs: options.pollTimeoutMs,
                     metricsIntervalMs: max(options.metricsIntervalMs, options.heartbeatIntervalMs),
                     heartbeatTimeoutMs: options.heartbeatTimeoutMs)
    }
}
