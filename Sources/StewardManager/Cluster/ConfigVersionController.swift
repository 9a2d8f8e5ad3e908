import Hummingbird
import StewardAPI
import StewardEngine
import StewardStore

/// Configuration versions: every save makes one (in the save's own
/// transaction); these routes list them, show one with what it changed, and
/// roll back to one, which is a save of its own and makes a version too.
struct ConfigVersionController {
    typealias Context = StewardRequestContext
    let stack: Stack
    let cluster: ClusterState
    let center: CommandCenter
    let versions: any Store
    let audit: AuditTrail
    let bodyLimit: Int

    /// `config` is the group of `/web/v1/config/cluster/:cluster_id`, checked by `inCluster`:
    /// for reads at once, for the rollback after the audit and role checks, as for a save.
    func addRoutes(config: RouterGroup<Context>, inCluster: ClusterMiddleware) {
        let reads = config.group().add(middleware: inCluster)
        reads.get("versions", use: list)
        reads.get("versions/:version", use: detail)
        config.operatorAction(audit.dryRunnable("CONFIG_ROLLBACK"), in: inCluster).post("versions/:version/rollback", use: rollback)
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let (limit, offset) = try request.page(defaultLimit: 20, range: 1...200)
        let (total, page) = try await versions.configVersions(clusterId: stack.cluster.id, offset: offset, limit: limit)
        return JSONBody.ok(ConfigVersionList(total: total, versions: page.map { Self.summary($0, in: stack) }))
    }

    @Sendable func detail(_ request: Request, context: Context) async throws -> Response {
        let version = try await stored(try context.versionNumber())
        return JSONBody.ok(ConfigVersionDetail(summary: Self.summary(version, in: stack),
                                             values: version.values.map { Self.view($0, in: stack) }))
    }

    @Sendable func rollback(_ request: Request, context: Context) async throws -> Response {
        let number = try context.versionNumber()
        let target = try await stored(number)
        let body = try await JSONBody.decode(RollbackRequest.self, from: request, limit: bodyLimit)
        let restart = body.restartAffectedComponents ?? false
        let user = context.user?.name ?? ""
        let key = try request.idempotencyKey(user: user, body: body)
        let title = "Roll back to version \(number)"
        let stack = self.stack
        let topology = await cluster.topology
        // Worked out from the configuration as it is when the command is made:
        // only what differs from the version now is saved again.
        let changes: @Sendable (Configuration) throws -> [ConfigValue] = { current in
            let values = ConfigDiff.restoring(target.values, current: ConfigDiff.snapshot(current, in: stack), in: stack,
                                              topology: topology)
            guard !values.isEmpty else {
                throw StewardError(.nothingToRollBack, "The configuration already has the values of version \(number); nothing was changed.")
            }
            return try Configuration.validate(values, in: stack, topology: topology)
        }
        if try request.dryRun() {
            let draft = await center.draftConfiguration(try changes(await cluster.configuration), restart: restart,
                                                        user: user, title: title)
            try await center.checkDraft(draft)
            return CommandController.plan(draft)
        }
        return CommandController.accepted(try await center.submitConfiguration(restart: restart, user: user, title: title, key: key,
                                                                                changes))
    }

    private func stored(_ number: Int) async throws -> ConfigVersion {
        guard let version = try await versions.configVersion(clusterId: stack.cluster.id, number: number) else {
            throw StewardError(.configVersionNotFound, "Cluster \(stack.cluster.id) has no configuration version \(number).")
        }
        return version
    }

    static let mask = "******"

    static func summary(_ v: ConfigVersion, in stack: Stack) -> ConfigVersionSummary {
        ConfigVersionSummary(version: v.number, user: v.user, createTime: v.createdAt, commandId: v.commandId,
                             description: v.description, changes: v.changes.map { view($0, in: stack) })
    }

    /// Secret when stored sealed, or when the stack makes the parameter a
    /// PASSWORD now: an older version may hold it clear from before it was one.
    static func secret(_ scope: ConfigScope, _ name: String, sealed: Bool, in stack: Stack) -> Bool {
        sealed || Configuration.markingSecrets([ConfigValue(scope: scope, name: name, value: "")], in: stack)[0].secret
    }

    /// A PASSWORD value never leaves the manager: a change of one says only that it changed.
    static func view(_ c: ConfigChange, in stack: Stack) -> ConfigVersionChange {
        let key = ConfigDiff.Key(c.scope, c.name)
        let hidden = secret(c.scope, c.name, sealed: c.secret, in: stack)
        return ConfigVersionChange(serviceName: key.service, roleName: key.role.isEmpty ? nil : key.role,
                                   hostName: key.host.isEmpty ? nil : key.host, name: c.name,
                                   oldValue: hidden ? c.old.map { _ in mask } : c.old,
                                   newValue: hidden ? c.new.map { _ in mask } : c.new, secret: hidden)
    }

    static func view(_ v: ConfigValue, in stack: Stack) -> ConfigVersionValue {
        let key = ConfigDiff.Key(v.scope, v.name)
        return ConfigVersionValue(serviceName: key.service, roleName: key.role.isEmpty ? nil : key.role,
                                  hostName: key.host.isEmpty ? nil : key.host, name: v.name,
                                  value: secret(v.scope, v.name, sealed: v.secret, in: stack) ? mask : v.value)
    }
}

extension StewardRequestContext {
    /// The `version` path parameter: a version number, from 1.
    func versionNumber() throws(StewardError) -> Int {
        let raw = parameters.get("version") ?? ""
        guard let n = Int(raw), n > 0, n <= Int(Int32.max) else {
            throw StewardError(.invalidParameter, "version must be a positive integer, got '\(raw.prefix(32))'.")
        }
        return n
    }
}
