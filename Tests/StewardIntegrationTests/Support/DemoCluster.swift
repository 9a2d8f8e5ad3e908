import StewardAPI
import StewardClient

/// The calls the tests make on the demo stack's cluster, whose id the stack
/// fixes at 1: named here once rather than at every call.
extension StewardClient {
    static let demoCluster = 1

    func instances(service: String? = nil) async throws -> [InstanceView] {
        try await instances(service: service, cluster: Self.demoCluster)
    }

    func hosts() async throws -> [HostView] { try await hosts(cluster: Self.demoCluster) }

    func services() async throws -> [ServiceView] { try await services(cluster: Self.demoCluster) }

    func service(_ action: ServiceAction, _ name: String, onlySelf: Bool) async throws -> Reply<NoResult> {
        try await service(action, name, onlySelf: onlySelf, cluster: Self.demoCluster)
    }

    func saveConfiguration(_ request: SaveConfigurationRequest) async throws -> Reply<NoResult> {
        try await saveConfiguration(request, cluster: Self.demoCluster)
    }
}
