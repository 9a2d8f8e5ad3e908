import Hummingbird
import StewardAPI

/// Checks the `cluster_id` of every route under a `…/cluster/:cluster_id`
/// group, once, before any handler: a malformed id is 400, an unknown one 404.
struct ClusterMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let clusterId: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let raw = context.parameters.get("cluster_id") ?? ""
        guard let id = Int(raw), id >= 0 else {
            throw StewardError(.invalidParameter, "cluster_id must be a non-negative integer, got '\(raw.prefix(32))'.")
        }
        guard id == clusterId else {
            throw StewardError(.clusterNotFound, "Cluster \(id) does not exist; this manager manages cluster \(clusterId).")
        }
        return try await next(request, context)
    }
}
