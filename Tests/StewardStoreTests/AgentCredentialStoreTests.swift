import StewardAPI
import StewardStore
import Testing

/// Agent credentials: only digests are stored; a host's row is replaced, not added.
@Suite struct AgentCredentialStoreTests {
    @Test(arguments: Backend.all) func aCredentialIsStoredReplacedAndTouched(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await store.createCluster(id: 1, name: "demo", description: "d", stack: try Fixtures.demo(), values: [], now: 1)
            var record = AgentCredentialRecord(host: "host-1", secretDigest: "ab12", state: .pending, issuedAt: 10)
            try await store.saveAgentCredential(record, clusterId: 1)
            try await store.saveAgentCredential(AgentCredentialRecord(host: "host-2", secretDigest: "cd34", state: .active, issuedAt: 11),
                                                clusterId: 1)
            try await store.touchAgentCredential(host: "host-1", clusterId: 1, at: 20)
            record.lastUsedAt = 20
            #expect(try await store.agentCredentials(clusterId: 1).first == record)

            record.state = .revoked
            record.secretDigest = ""
            record.revokedAt = 30
            try await store.saveAgentCredential(record, clusterId: 1)
            let all = try await store.agentCredentials(clusterId: 1)
            #expect(all.map(\.host) == ["host-1", "host-2"])
            #expect(all.first == record)
            #expect(try await store.agentCredentials(clusterId: 2).isEmpty)
        }
    }
}
