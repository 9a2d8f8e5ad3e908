import Foundation
import StewardAPI

/// Placement: instances added and removed, hosts decommissioned and forgotten.
/// The first three answer a command's envelope, followed like any command.
extension StewardClient {
    /// The raw reply of an add, refusals included.
    public func addInstance(_ request: AddInstanceRequest, cluster: Int, idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await post("/web/v1/maintain/cluster/\(cluster)/instances", request, idempotencyKey: idempotencyKey)
    }

    /// Places a role on a host (and starts it unless `start` is false): the command's envelope.
    public func addInstance(role: String, host: String, start: Bool = true, cluster: Int,
                            idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await addInstance(AddInstanceRequest(role: role, host: host, start: start), cluster: cluster,
                              idempotencyKey: idempotencyKey).accepted()
    }

    /// The raw reply of a removal, refusals included. `name` is `Role@host`.
    public func removeInstanceReply(_ name: String, cluster: Int, idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await call(.DELETE, "/web/v1/maintain/cluster/\(cluster)/instances/\(Self.segment(name))", idempotencyKey: idempotencyKey)
    }

    public func removeInstance(_ name: String, cluster: Int, idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await removeInstanceReply(name, cluster: cluster, idempotencyKey: idempotencyKey).accepted()
    }

    public func decommissionReply(host: String, cluster: Int, idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await call(.POST, "/web/v1/maintain/cluster/\(cluster)/hosts/\(Self.segment(host))/decommission",
                       idempotencyKey: idempotencyKey)
    }

    /// Stops and removes every instance of a host, then marks it DECOMMISSIONED: the command's envelope.
    public func decommission(host: String, cluster: Int, idempotencyKey: String? = nil) async throws -> Envelope<NoResult> {
        try await decommissionReply(host: host, cluster: cluster, idempotencyKey: idempotencyKey).accepted()
    }

    public func forgetReply(host: String, cluster: Int) async throws -> Reply<NoResult> {
        try await call(.DELETE, "/web/v1/maintain/cluster/\(cluster)/hosts/\(Self.segment(host))")
    }

    /// Forgets a host with no instances, revoking its agent's credential.
    public func forget(host: String, cluster: Int) async throws {
        try await forgetReply(host: host, cluster: cluster).refuseIfFailed()
    }
}
