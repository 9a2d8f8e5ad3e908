import Hummingbird
import StewardEngine

/// Reads of the cluster: the reference's clusters, status and service summary,
/// plus the services, hosts, instances and configuration a user needs to see.
extension Manager {
    func addClusterRoutes(to api: RouterGroup<StewardRequestContext>) {
        api.get("clusters") { _, _ -> Response in
            let record = self.cluster.record
            return JSONBody.ok(ClusterList(clusters: [ClusterSummary(
                stack: "\(record.stackName) \(record.stackVersion)", id: record.id, name: record.name,
                description: record.description, version: record.stackVersion)]))
        }

        api.get("cluster/:cluster_id/status") { _, context -> Response in
            _ = try self.clusterId(context)
            let lost = await self.lostHosts()
            var healthy = true
            for service in self.stack.services {
                if await self.cluster.serviceStatus(service.name, lostHosts: lost).health != HealthStatus.good.rawValue {
                    healthy = false
                }
            }
            return JSONBody.ok(ClusterHealth(state: healthy ? "GOOD" : "BAD"))
        }

        api.get("cluster/:cluster_id/services") { _, context -> Response in
            _ = try self.clusterId(context)
            var views: [ServiceView] = []
            for service in self.stack.services { views.append(await self.serviceView(service.name)) }
            return JSONBody.ok(ServiceList(services: views))
        }

        api.get("cluster/:cluster_id/services/:service_name") { _, context -> Response in
            _ = try self.clusterId(context)
            let name = try self.serviceName(context)
            let view = await self.serviceView(name)
            let instances = await self.cluster.instanceViews(service: name, lostHosts: await self.lostHosts())
            let started = instances.filter { $0.operationalStatus == InstanceStatus.started.rawValue }.count
            var props: [KeyProperties.Property] = [
                .init(name: "Running Status", value: view.operationalStatus, type: "STATUS"),
                .init(name: "Health Status", value: view.healthStatus, type: "STATUS"),
                .init(name: "Version", value: view.version, type: "TEXT"),
                .init(name: "Instances Started", value: "\(started)/\(instances.count)", type: "TEXT"),
                .init(name: "Depends On", value: view.dependsOn.joined(separator: ", "), type: "TEXT"),
            ]
            if let running = view.runningCommand {
                props.append(.init(name: "Running Command", value: String(running), type: "TEXT"))
            }
            return JSONBody.ok(KeyProperties(keyProperty: props))
        }

        api.get("cluster/:cluster_id/services/:service_name/configurations") { _, context -> Response in
            _ = try self.clusterId(context)
            let name = try self.serviceName(context)
            guard let view = await self.cluster.configurationView(service: name) else { throw StewardError(.serviceNotFound) }
            return JSONBody.ok(view)
        }

        api.get("cluster/:cluster_id/hosts") { _, context -> Response in
            _ = try self.clusterId(context)
            var hosts: [HostView] = []
            for host in self.stack.cluster.hosts {
                let status = await self.hub.status(of: host)
                let instances = self.stack.instances.filter { $0.host == host }.map(\.description)
                hosts.append(HostView(hostName: host, status: status.lost ? "LOST" : "CONNECTED",
                                      lastHeartbeat: status.lastSeen, agentVersion: status.version, instances: instances))
            }
            return JSONBody.ok(HostList(hosts: hosts))
        }

        api.get("cluster/:cluster_id/instances") { request, context -> Response in
            _ = try self.clusterId(context)
            let service = request.uri.queryParameters.get("service_name")
            if let service, self.stack.service(service) == nil {
                throw StewardError(.serviceNotFound, "Service '\(service.prefix(64))' does not exist in the cluster.")
            }
            let views = await self.cluster.instanceViews(service: service, lostHosts: await self.lostHosts())
            return JSONBody.ok(InstanceList(instances: views))
        }
    }

    func lostHosts() async -> Set<String> {
        var lost: Set<String> = []
        for host in stack.cluster.hosts where await hub.isLost(host) { lost.insert(host) }
        return lost
    }

    func serviceView(_ name: String) async -> ServiceView {
        let definition = stack.service(name)
        let status = await cluster.serviceStatus(name, lostHosts: await lostHosts())
        return ServiceView(
            name: name, description: definition?.description ?? "", version: definition?.version ?? "",
            dependsOn: definition?.dependsOn ?? [], operationalStatus: status.operational, healthStatus: status.health,
            runningCommand: await center.runningCommand(for: name), roles: definition?.roles.map(\.name) ?? [])
    }
}
