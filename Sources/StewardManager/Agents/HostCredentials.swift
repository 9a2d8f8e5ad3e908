import Crypto
import Foundation
import StewardAPI
import StewardEngine
import StewardStore
import StewardSystem

/// Who may speak on `/agent/v1`, and for which host. The cluster's join token
/// only bootstraps: a host's first registration with it is issued a credential
/// of its own (32 random bytes), of which only the SHA-256 digest is kept, here
/// and in the store. Every later call carries that credential and may act only
/// for its host.
actor HostCredentials {
    /// What a request's bearer secret proved.
    enum Caller: Sendable, Equatable {
        /// The cluster's join token: it may only register a host that has no credential.
        case joiner
        /// A host's own credential, active or pending approval.
        case host(String, AgentCredentialState)
    }

    private var records: [String: AgentCredentialRecord]
    private var joinToken: Data
    /// When each host's use was last written to the store: at most once a
    /// minute, so that a heartbeat a second is not a write a second.
    private var persistedUse: [String: Millis] = [:]
    let store: any Store
    let clusterId: Int
    let tokenPath: String
    let approveNewHosts: Bool
    let clock: any TimeSource
    static let persistUseEveryMs: Millis = 60_000

    init(records: [AgentCredentialRecord], joinToken: String, tokenPath: String, approveNewHosts: Bool,
         store: any Store, clusterId: Int, clock: any TimeSource) {
        self.records = Dictionary(records.map { ($0.host, $0) }, uniquingKeysWith: { $1 })
        self.joinToken = Data(joinToken.utf8)
        self.tokenPath = tokenPath
        self.approveNewHosts = approveNewHosts
        self.store = store
        self.clusterId = clusterId
        self.clock = clock
    }

    static func load(store: any Store, clusterId: Int, joinToken: String, tokenPath: String, approveNewHosts: Bool,
                     clock: any TimeSource) async throws -> HostCredentials {
        HostCredentials(records: try await store.agentCredentials(clusterId: clusterId), joinToken: joinToken,
                        tokenPath: tokenPath, approveNewHosts: approveNewHosts, store: store, clusterId: clusterId, clock: clock)
    }

    /// The caller a bearer secret proves, or nil. `host` is the `X-Steward-Host`
    /// header: a host credential is checked against that host's digest only.
    func authenticate(bearer: String, host: String?) async -> Caller? {
        if let host, let state = verify(bearer: bearer, host: host) {
            await noteUse(host)
            return .host(host, state)
        }
        return PasswordHasher.constantTimeEqual(Data(bearer.utf8), joinToken) ? .joiner : nil
    }

    /// The state of the host's credential if `bearer` is that credential and it
    /// is not revoked; nil otherwise. Compared in constant time.
    private func verify(bearer: String, host: String) -> AgentCredentialState? {
        guard let record = records[host], record.state == .active || record.state == .pending,
              !record.secretDigest.isEmpty else { return nil }
        let presented = Data(Self.digest(bearer).utf8)
        return PasswordHasher.constantTimeEqual(presented, Data(record.secretDigest.utf8)) ? record.state : nil
    }

    func state(of host: String) -> AgentCredentialState { records[host]?.state ?? .none }

    /// Issues a new credential to a host joining with the join token: pending
    /// when new hosts need approval. A host whose credential is active or
    /// pending is refused, else the join token could still impersonate it.
    func issue(to host: String) async throws -> (secret: String, state: AgentCredentialState) {
        let previous = records[host]
        if let previous, previous.state != .revoked {
            throw StewardError(.agentAlreadyJoined,
                               "Host '\(host.prefix(64))' has joined already; an admin must revoke its credential before it joins again.")
        }
        let secret = Self.randomHex()
        let record = AgentCredentialRecord(host: host, secretDigest: Self.digest(secret),
                                           state: approveNewHosts ? .pending : .active, issuedAt: clock.now())
        // Taken before the write: a second join racing this one finds it.
        records[host] = record
        do {
            try await store.saveAgentCredential(record, clusterId: clusterId)
        } catch {
            records[host] = previous
            throw error
        }
        return (secret, record.state)
    }

    func list() -> [AgentCredentialView] {
        records.values.sorted { $0.host < $1.host }.map(Self.view)
    }

    /// Revokes a host's credential: its next request is refused. Revoking a
    /// revoked credential changes nothing.
    func revoke(_ host: String) async throws -> AgentCredentialView {
        guard var record = records[host] else { throw StewardError(.agentCredentialNotFound, "Host '\(host.prefix(64))' has no credential.") }
        guard record.state != .revoked else { return Self.view(record) }
        record.state = .revoked
        record.secretDigest = ""
        record.revokedAt = clock.now()
        try await replace(record)
        return Self.view(record)
    }

    /// Lets a pending host in.
    func approve(_ host: String) async throws -> AgentCredentialView {
        guard var record = records[host] else { throw StewardError(.agentCredentialNotFound, "Host '\(host.prefix(64))' has no credential.") }
        guard record.state == .pending else {
            throw StewardError(.agentNotPending, "Host '\(host.prefix(64))' is \(record.state.rawValue), not PENDING.")
        }
        record.state = .active
        try await replace(record)
        return Self.view(record)
    }

    /// A new join token: written (0600) to the data directory's token file
    /// first, then the only one accepted. Hosts that have joined keep their
    /// credentials.
    func rotateJoinToken() throws -> String {
        let token = Self.randomHex()
        try SecretFile.write(Array((token + "\n").utf8), to: tokenPath)
        joinToken = Data(token.utf8)
        return token
    }

    private func replace(_ record: AgentCredentialRecord) async throws {
        let previous = records[record.host]
        records[record.host] = record
        do {
            try await store.saveAgentCredential(record, clusterId: clusterId)
        } catch {
            records[record.host] = previous
            throw error
        }
    }

    private func noteUse(_ host: String) async {
        let now = clock.now()
        records[host]?.lastUsedAt = now
        guard now - (persistedUse[host] ?? 0) >= Self.persistUseEveryMs else { return }
        persistedUse[host] = now
        try? await store.touchAgentCredential(host: host, clusterId: clusterId, at: now)
    }

    static func view(_ r: AgentCredentialRecord) -> AgentCredentialView {
        AgentCredentialView(hostName: r.host, state: r.state, issuedAt: r.issuedAt, lastUsedAt: r.lastUsedAt, revokedAt: r.revokedAt)
    }

    /// Computed on every agent request: with `String(format:)` per byte it was a
    /// fifth of the manager's CPU at 1,000 hosts (Benchmarks/agents_load.sh).
    static func digest(_ secret: String) -> String {
        hex(SHA256.hash(data: Data(secret.utf8)))
    }

    /// 32 random bytes from the system's generator, as hex.
    static func randomHex() -> String {
        var rng = SystemRandomNumberGenerator()
        return hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex, two digits a byte.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
