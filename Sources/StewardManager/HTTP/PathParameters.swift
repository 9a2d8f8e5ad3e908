import Hummingbird
import StewardEngine

/// Path parameters, checked before anything else happens.
extension Manager {
    /// The cluster in the path; a malformed id is 400, an unknown one 404.
    func clusterId(_ context: StewardRequestContext) throws(StewardError) -> Int {
        let raw = context.parameters.get("cluster_id") ?? ""
        guard let id = Int(raw), id >= 0 else {
            throw StewardError(.invalidParameter, "cluster_id must be a non-negative integer, got '\(raw.prefix(32))'.")
        }
        guard id == stack.cluster.id else {
            throw StewardError(.clusterNotFound, "Cluster \(id) does not exist; this manager manages cluster \(stack.cluster.id).")
        }
        return id
    }

    func serviceName(_ context: StewardRequestContext) throws(StewardError) -> String {
        let name = context.parameters.get("service_name") ?? ""
        guard stack.service(name) != nil else {
            throw StewardError(.serviceNotFound, "Service '\(name.prefix(64))' does not exist in cluster \(stack.cluster.id).")
        }
        return name
    }

    /// A command id: a positive LONG. Anything else is 400, before any lookup.
    static func commandId(_ context: StewardRequestContext) throws(StewardError) -> Int64 {
        let raw = context.parameters.get("command_id") ?? ""
        guard let id = Int64(raw), id > 0 else {
            throw StewardError(.invalidParameter, "command_id must be a positive integer of at most 19 digits, got '\(raw.prefix(32))'.")
        }
        return id
    }
}
