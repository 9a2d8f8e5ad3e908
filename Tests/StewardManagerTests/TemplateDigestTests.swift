@testable import StewardManager
import StewardAPI
import StewardEngine
import StewardStacks
import StewardStore
import Testing

/// What makes an instance `config_stale` once templates see the topology:
/// its values, and the part of the context its templates name.
@Suite struct TemplateDigestTests {
    static func state() throws -> ClusterState {
        let stack = try StackLoader.load(nameOrPath: "lab")
        return ClusterState(stack: stack, record: ClusterRecord(id: 1, name: "lab", description: "", stackName: "lab",
                                                                stackVersion: "1.0", createdAt: 0),
                            configuration: Configuration(), topology: Topology(layoutOf: stack))
    }

    static let peer2 = InstanceRef(service: "ZooKeeper", role: "QuorumPeer", host: "host-2")
    static let replica3 = InstanceRef(service: "Redis", role: "RedisReplica", host: "host-3")
    static let nginx1 = InstanceRef(service: "Nginx", role: "NginxServer", host: "host-1")

    @Test("a role without templates keeps the digest of its values alone")
    func plainDigest() {
        let values = ["port": "21101"]
        #expect(ClusterState.digest(values) == ClusterState.digest(values, context: nil))
    }

    @Test("members come from the stack with the address the agent reports, else the stack's, else the host's name")
    func members() async throws {
        let state = try Self.state()
        let before = try #require(await state.templateContext(for: Self.peer2))
        #expect(before.roles["QuorumPeer"]?.map(\.address) == ["127.0.1.1", "127.0.1.2", "127.0.1.3"])
        #expect(before.instance.ordinal == 2)
        let members = await state.templateMembers()
        #expect(members.filter { $0.instance.role == "RedisReplica" }.map(\.ordinal) == [1, 2])
        await state.recordHost("host-1", facts: HostFacts(address: "10.1.1.1", cores: 4, memoryMiB: 1024, os: "x"))
        let after = try #require(await state.templateContext(for: Self.peer2))
        #expect(after.roles["QuorumPeer"]?.first?.address == "10.1.1.1")
        #expect(await state.address(of: "host-1") == "10.1.1.1")
        #expect(await state.facts(of: "host-1")?.cores == 4)
        // A host the stack does not have is not recorded.
        await state.recordHost("intruder", facts: HostFacts(address: "10.9.9.9"))
        #expect(await state.facts(of: "intruder") == nil)
    }

    @Test("a peer's address changing makes every QuorumPeer and the replicas of a moved primary stale, nothing else")
    func staleness() async throws {
        let state = try Self.state()
        let peer = await state.digest(for: Self.peer2)
        let replica = await state.digest(for: Self.replica3)
        let nginx = await state.digest(for: Self.nginx1)
        await state.recordHost("host-3", facts: HostFacts(address: "10.1.1.3"))
        #expect(await state.digest(for: Self.peer2) != peer, "host-3's peer moved: the ensemble's server lines change")
        #expect(await state.digest(for: Self.replica3) != replica, "the replica's own address changed")
        #expect(await state.digest(for: Self.nginx1) == nginx, "nginx on host-1 sees nothing of host-3")
        let replicaNow = await state.digest(for: Self.replica3)
        await state.recordHost("host-2", facts: HostFacts(address: "10.1.1.2"))
        #expect(await state.digest(for: Self.replica3) == replicaNow, "a replica sees the primary, not its sibling")
        await state.apply([ConfigValue(scope: .service("Redis"), name: "requirepass", value: "other", secret: true)])
        #expect(await state.digest(for: Self.replica3) != replicaNow, "the password is among its values")
    }
}
