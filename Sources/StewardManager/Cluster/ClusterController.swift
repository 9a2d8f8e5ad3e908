import Hummingbird
import StewardAPI
import StewardEngine

/// Reads of the cluster: the reference's clusters, status and service summary,
/// plus the services, hosts and instances a user needs to see.
struct ClusterController {
    typealias Context = StewardRequestContext
    let stack: Stack
    let cluster: ClusterState
    let hub: AgentHub
    let center: CommandCenter
    let credentials: HostCredentials

    /// `cluster` is the group under `/web/v1/cluster/:cluster_id`.
    func addRoutes(api: RouterGroup<Context>, cluster: RouterGroup<Context>) {
        api.get("clusters", use: clusters)
        cluster.get("status", use: status)
        cluster.get("services", use: services)
        cluster.get("services/:service_name", use: service)
        cluster.get("hosts", use: hosts)
        cluster.get("instances", use: instances)
    }

    @Sendable func clusters(_ request: Request, context: Context) async throws -> Response {
        let record = cluster.record
        return JSONBody.ok(ClusterList(clusters: [ClusterSummary(
            stack: "\(record.stackName) \(record.stackVersion)", id: record.id, name: record.name,
            description: record.description, version: record.stackVersion)]))
    }

    @Sendable func status(_ request: Request, context: Context) async throws -> Response {
        let lost = await hub.lostHosts()
        var healthy = true
        for service in stack.services where await cluster.serviceStatus(service.name, lostHosts: lost).health != .good {
            healthy = false
        }
        return JSONBody.ok(ClusterHealth(state: healthy ? .good : .bad))
    }

    @Sendable func services(_ request: Request, context: Context) async throws -> Response {
        let lost = await hub.lostHosts()
        var views: [ServiceView] = []
        for service in stack.services { views.append(await serviceView(service.name, lostHosts: lost)) }
        return JSONBody.ok(ServiceList(services: views))
    }

    /// The reference's `key_property` summary of one service.
    @Sendable func service(_ request: Request, context: Context) async throws -> Response {
        let name = try context.service(in: stack)
        let lost = await hub.lostHosts()
        let view = await serviceView(name, lostHosts: lost)
        let instances = await cluster.instanceViews(service: name, lostHosts: lost)
        let started = instances.filter { $0.operationalStatus == .started }.count
        var props: [KeyProperties.Property] = [
            .init(name: "Running Status", value: view.operationalStatus.rawValue, type: "STATUS"),
            .init(name: "Health Status", value: view.healthStatus.rawValue, type: "STATUS"),
            .init(name: "Version", value: view.version, type: "TEXT"),
            .init(name: "Instances Started", value: "\(started)/\(instances.count)", type: "TEXT"),
            .init(name: "Depends On", value: view.dependsOn.joined(separator: ", "), type: "TEXT"),
        ]
        if let running = view.runningCommand {
            props.append(.init(name: "Running Command", value: String(running), type: "TEXT"))
        }
        return JSONBody.ok(KeyProperties(keyProperty: props))
    }

    @Sendable func hosts(_ request: Request, context: Context) async throws -> Response {
        var hosts: [HostView] = []
        let topology = await cluster.topology
        let placed = Dictionary(grouping: topology.instances(in: stack), by: \.host)
        for host in topology.hosts {
            let status = await hub.status(of: host.name)
            let instances = (placed[host.name] ?? []).map(\.description)
            hosts.append(HostView(hostName: host.name, status: status.lost ? .lost : .connected,
                                  lastHeartbeat: status.lastSeen, agentVersion: status.version, instances: instances,
                                  agentState: await credentials.state(of: host.name), state: host.state,
                                  joinedAt: host.joinedAt,
                                  ip: host.address ?? stack.cluster.addresses[host.name],
                                  cores: host.cores, memoryMib: host.memoryMiB, os: host.os))
        }
        return JSONBody.ok(HostList(hosts: hosts))
    }

    @Sendable func instances(_ request: Request, context: Context) async throws -> Response {
        let service = request.uri.queryParameters.get("service_name")
        if let service, stack.service(service) == nil {
            throw StewardError(.serviceNotFound, "Service '\(service.prefix(64))' does not exist in the cluster.")
        }
        let views = await cluster.instanceViews(service: service, lostHosts: await hub.lostHosts())
        return JSONBody.ok(InstanceList(instances: views))
    }

    func serviceView(_ name: String, lostHosts: Set<String>) async -> ServiceView {
        let definition = stack.service(name)
        let status = await cluster.serviceStatus(name, lostHosts: lostHosts)
        return ServiceView(
            name: name, description: definition?.description ?? "", version: definition?.version ?? "",
            dependsOn: definition?.dependsOn ?? [], operationalStatus: status.operational, healthStatus: status.health,
            runningCommand: await center.runningCommand(for: name), roles: definition?.roles.map(\.name) ?? [])
    }
}
