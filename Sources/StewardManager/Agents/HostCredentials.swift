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
///
/// The store is the truth, shared by every manager on the database: the
/// credentials and the join token's digest (the token itself only in the
/// token file of the manager that made it, for operators). This actor keeps a
/// copy for the request path; every change is announced (`.agentCredentials`)
/// and every manager reads the store again when it hears one.
actor HostCredentials {
    /// What a request's bearer secret proved.
    enum Caller: Sendable, Equatable {
        /// The cluster's join token: it may only register a host that has no credential.
        case joiner
        /// A host's own credential, active or pending approval.
        case host(String, AgentCredentialState)
    }

    private var records: [String: AgentCredentialRecord]
    /// The SHA-256 digest (hex) of the join token.
    private var joinDigest: String
    /// When each host's use was last written to the store: at most once a
    /// minute, so that a heartbeat a second is not a write a second.
    private var persistedUse: [String: Millis] = [:]
    let store: SQLStore
    let notices: any NoticeBoard
    let clusterId: Int
    let tokenPath: String
    let approveNewHosts: Bool
    let clock: any TimeSource
    static let persistUseEveryMs: Millis = 60_000

    init(records: [AgentCredentialRecord], joinDigest: String, tokenPath: String, approveNewHosts: Bool,
         store: SQLStore, notices: any NoticeBoard, clusterId: Int, clock: any TimeSource) {
        self.records = Dictionary(records.map { ($0.host, $0) }, uniquingKeysWith: { $1 })
        self.joinDigest = joinDigest
        self.notices = notices
        self.tokenPath = tokenPath
        self.approveNewHosts = approveNewHosts
        self.store = store
        self.clusterId = clusterId
        self.clock = clock
    }

    static func load(store: SQLStore, notices: any NoticeBoard, clusterId: Int, tokenPath: String, approveNewHosts: Bool,
                     clock: any TimeSource) async throws -> HostCredentials {
        HostCredentials(records: try await store.agentCredentials(clusterId: clusterId),
                        joinDigest: try await ensureJoinToken(store: store, clusterId: clusterId, tokenPath: tokenPath, clock: clock),
                        tokenPath: tokenPath, approveNewHosts: approveNewHosts, store: store, notices: notices,
                        clusterId: clusterId, clock: clock)
    }

    static func joinTokenKey(_ clusterId: Int) -> String { "join_token_digest:\(clusterId)" }

    /// The join token's digest as stored, made once by the first manager to
    /// start: from its token file (a store from before the token was stored)
    /// or a new token, written to the file. A manager that finds one stored
    /// accepts it, whatever its own file says.
    static func ensureJoinToken(store: SQLStore, clusterId: Int, tokenPath: String, clock: any TimeSource) async throws -> String {
        if let stored = try await store.accessKey(joinTokenKey(clusterId)) { return stored }
        var token = SecretFile.read(tokenPath) ?? ""
        let made = token.isEmpty
        if made {
            token = randomHex()
            try SecretFile.write(token + "\n", to: tokenPath)
        }
        let stored = try await store.putAccessKey(joinTokenKey(clusterId), value: digest(token), replace: false, now: clock.now())
        // Another manager stored its token first: this file's would be refused, so it goes.
        if stored != digest(token), made { try? FileManager.default.removeItem(atPath: tokenPath) }
        return stored
    }

    /// Reads the credentials and the join token again (`.agentCredentials`: another manager changed them).
    func reload() async throws {
        let fresh = try await store.agentCredentials(clusterId: clusterId)
        var merged = Dictionary(fresh.map { ($0.host, $0) }, uniquingKeysWith: { $1 })
        // Uses are written at most once a minute: the later of the two is kept.
        for (host, record) in records {
            if let used = record.lastUsedAt, used > merged[host]?.lastUsedAt ?? 0, merged[host]?.secretDigest == record.secretDigest {
                merged[host]?.lastUsedAt = used
            }
        }
        records = merged
        if let stored = try await store.accessKey(Self.joinTokenKey(clusterId)) { joinDigest = stored }
    }

    /// The caller a bearer secret proves, or nil. `host` is the `X-Steward-Host`
    /// header: a host credential is checked against that host's digest only.
    func authenticate(bearer: String, host: String?) async -> Caller? {
        if let host, let state = verify(bearer: bearer, host: host) {
            await noteUse(host)
            return .host(host, state)
        }
        return PasswordHasher.constantTimeEqual(Data(Self.digest(bearer).utf8), Data(joinDigest.utf8)) ? .joiner : nil
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
        // Taken before the write: a second join racing this one here finds it;
        // one on another manager is refused by the store.
        records[host] = record
        let issued: Bool
        do {
            issued = try await store.issueAgentCredential(record, clusterId: clusterId)
        } catch {
            records[host] = previous
            throw error
        }
        guard issued else {
            try? await reload()
            throw StewardError(.agentAlreadyJoined,
                               "Host '\(host.prefix(64))' has joined already; an admin must revoke its credential before it joins again.")
        }
        // Every manager knows the credential before the agent has it: its next call may go to any of them.
        await notices.announceAndWait(.agentCredentials)
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

    /// A new join token: written (0600) to this manager's token file first,
    /// then stored; the only one accepted, by every manager, when this
    /// returns. Hosts that have joined keep their credentials.
    func rotateJoinToken() async throws -> String {
        let token = Self.randomHex()
        try SecretFile.write(Array((token + "\n").utf8), to: tokenPath)
        joinDigest = try await store.putAccessKey(Self.joinTokenKey(clusterId), value: Self.digest(token), replace: true, now: clock.now())
        await notices.announceAndWait(.agentCredentials)
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
        // A revoked host is refused by every manager once this returns.
        await notices.announceAndWait(.agentCredentials)
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
