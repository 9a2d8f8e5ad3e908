import Crypto
import Foundation
import StewardAPI
import StewardEngine
import StewardStore

/// The cluster as the manager sees it: the stack's definitions, the saved
/// configuration and the topology (both mirrored from the store: changed here
/// only after the store has the change) and what the agents last reported.
///
/// Reports live in memory only: after a manager restart the agents report
/// again within one heartbeat, which is fresher than anything stored.
actor ClusterState {
    let stack: Stack
    let record: ClusterRecord
    private(set) var configuration: Configuration
    private(set) var topology: Topology
    private var reports: [InstanceRef: InstanceReport] = [:]
    /// What each host's agent said of its host when it registered (address, cores, memory, OS).

    init(stack: Stack, record: ClusterRecord, configuration: Configuration, topology: Topology) {
        self.stack = stack
        self.record = record
        self.configuration = configuration
        self.topology = topology
    }

    nonisolated var clusterId: Int { record.id }


    func apply(_ values: [ConfigValue]) {
        for v in values { configuration.set(v) }
    }

    /// Another manager changed the configuration or the topology: the store's copy replaces this one.
    func reload(values: [ConfigValue], topology: Topology) {
        configuration = Configuration(Configuration.markingSecrets(values, in: stack))
        self.topology = topology
    }

    // MARK: topology (stored first by the caller)

    func place(_ instance: PlacedInstance) { topology.place(instance) }

    /// Instances taken off their hosts: their values and last reports go with them.
    func remove(_ refs: [InstanceRef]) {
        for ref in refs {
            topology.remove(ref)
            configuration.drop(ref)
            reports[ref] = nil
        }
    }

    func join(_ host: HostRecord) { topology.join(host) }

    func setState(_ state: HostState, of host: String) { topology.setState(state, of: host) }

    func forget(_ host: String) { topology.forget(host) }

    func effective(for instance: InstanceRef) -> [String: String] {
        configuration.effective(for: instance, in: stack)
    }

    /// A short digest of an instance's effective configuration and of what its
    /// templates see, to tell when a running process has an outdated one. The
    /// context is the part its templates can see only (the roles they name),
    /// so a new ZooKeeper member makes every QuorumPeer stale but not Redis.
    nonisolated static func digest(_ config: [String: String], context: TemplateContext? = nil) -> String {
        var text = config.keys.sorted().map { "\($0)=\(config[$0] ?? "")" }.joined(separator: "\n")
        if let context { text += "\n#context\n" + String(decoding: WireJSON.encode(context), as: UTF8.self) }
        return SHA256.hash(data: Data(text.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The digest a task for the instance carries, and that its report is compared with.
    func digest(for instance: InstanceRef) -> String {
        taskConfigurations(for: [instance])[instance]?.digest ?? Self.digest(effective(for: instance))
    }

    /// Keeps the newer report; true if it says something new (status, health, pid or digest).
    @discardableResult
    func record(_ report: InstanceReport, host: String) -> Bool {
        let ref = InstanceRef(service: report.service, role: report.role, host: host)
        guard topology.contains(ref) else { return false }
        let known = reports[ref]
        if let known, known.observedAt > report.observedAt { return false }
        reports[ref] = report
        return known.map { var k = $0; k.observedAt = report.observedAt; return k != report } ?? true
    }

    @discardableResult
    func record(_ list: [InstanceReport], host: String) -> Bool {
        var changed = false
        for r in list where record(r, host: host) { changed = true }
        return changed
    }

    /// What is known of an instance: a lost host makes its instances UNKNOWN; a
    /// connected agent that reports nothing of an instance has never started it.
    func status(of instance: InstanceRef, hostLost: Bool) -> (InstanceStatus, HealthStatus) {
        guard !hostLost else { return (.unknown, .unknown) }
        guard let r = reports[instance] else { return (.stopped, .unknown) }
        return (r.status, r.status == .started ? r.health : .unknown)
    }

    func instanceViews(service: String?, lostHosts: Set<String>) -> [InstanceView] {
        let refs = topology.instances(in: stack).filter { service == nil || $0.service == service }
        let configurations = taskConfigurations(for: refs)
        return refs.map { ref in
            let (status, health) = status(of: ref, hostLost: lostHosts.contains(ref.host))
            let config = configurations[ref]?.values ?? effective(for: ref)
            let report = reports[ref]
            let stale = status == .started && report?.configDigest != nil && report?.configDigest != configurations[ref]?.digest
            return InstanceView(
                name: ref.description, serviceName: ref.service, roleName: ref.role, hostName: ref.host,
                operationalStatus: status, healthStatus: health,
                pid: status == .started ? report?.pid : nil, configStale: stale,
                configurations: Self.masked(config, role: ref.role, in: stack),
                ordinal: topology.placement(of: ref)?.ordinal)
        }
    }

    /// Service status from its instances: STARTED, STOPPED, PARTIALLY_STARTED or UNKNOWN;
    /// health GOOD only when every instance runs and is healthy.
    func serviceStatus(_ name: String, lostHosts: Set<String>) -> (operational: ServiceStatus, health: HealthStatus) {
        let refs = topology.instances(in: stack).filter { $0.service == name }
        let states = refs.map { status(of: $0, hostLost: lostHosts.contains($0.host)) }
        let started = states.filter { $0.0 == .started }.count
        let unknown = states.filter { $0.0 == .unknown }.count
        let operational: ServiceStatus
        if unknown == refs.count { operational = .unknown }
        else if started == refs.count { operational = .started }
        else if started == 0 && unknown == 0 { operational = .stopped }
        else { operational = .partiallyStarted }
        let healthy = states.allSatisfy { $0.0 == .started && $0.1 == .good }
        let health = healthy ? HealthStatus.good : (unknown == refs.count ? .unknown : .bad)
        return (operational, health)
    }

    /// Password parameters never leave the manager in clear.
    nonisolated static func masked(_ config: [String: String], role: String, in stack: Stack) -> [String: String] {
        guard let (service, roleDef) = stack.role(role) else { return config }
        let secret = Set((service.configurations + roleDef.configurations).filter { $0.type == .password }.map(\.name))
        guard !secret.isEmpty else { return config }
        return config.mapValues { $0 }.reduce(into: [:]) { out, kv in out[kv.key] = secret.contains(kv.key) ? "******" : kv.value }
    }

    func configurationView(service name: String) -> ServiceConfigurationView? {
        guard let service = stack.service(name) else { return nil }
        var params: [ServiceConfigurationView.ParameterView] = []
        func view(_ p: ParameterDefinition, level: String, role: String?, host: String?, value: String) -> ServiceConfigurationView.ParameterView {
            let secret = p.type == .password
            let numeric = p.type == .int || p.type == .port
            return .init(name: p.name, level: level, roleName: role, hostName: host, value: secret ? "******" : value,
                         defaultValue: secret ? "******" : p.defaultValue, type: p.type.rawValue,
                         description: p.description, itemConf: p.validity,
                         allowedValues: p.type == .enumeration ? p.allowed ?? [] : nil,
                         min: numeric ? p.effectiveMin : nil, max: numeric ? p.effectiveMax : nil)
        }
        for p in service.configurations {
            params.append(view(p, level: "SERVICE", role: nil, host: nil,
                               value: configuration.value(p.name, at: .service(name)) ?? p.defaultValue))
        }
        for role in service.roles {
            for p in role.configurations {
                let roleValue = configuration.value(p.name, at: .role(service: name, role: role.name)) ?? p.defaultValue
                params.append(view(p, level: "ROLE", role: role.name, host: nil, value: roleValue))
                for ref in topology.placements(ofRole: role.name).map(\.ref) {
                    if let v = configuration.value(p.name, at: .instance(ref)) {
                        params.append(view(p, level: "INSTANCE", role: role.name, host: ref.host, value: v))
                    }
                }
            }
        }
        return ServiceConfigurationView(serviceName: name, parameters: params)
    }
}
