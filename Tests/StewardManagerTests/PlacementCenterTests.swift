@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// Placement through the command center: checked under its gate, stored with
/// (or, for a removal, after) its command, mirrored in the cluster state only
/// once stored; a refused placement stores nothing.
@Suite("Placement in the command center")
struct PlacementCenterTests {
    func joinHost4(_ h: CenterHarness) async throws {
        _ = try await h.center.join(HostRecord(name: "host-4", joinedAt: 0))
    }

    @Test func aJoinedHostIsStoredWithItsJoinTimeAndAReJoinKeepsIt() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        h.clock.advance(seconds: 1)
        let joined = try await h.center.join(HostRecord(name: "host-4", joinedAt: 0))
        #expect(joined.joinedAt == h.clock.now())
        h.clock.advance(seconds: 1)
        let again = try await h.center.join(HostRecord(name: "host-4", address: "127.0.1.4", joinedAt: 0))
        #expect(again.joinedAt == joined.joinedAt && again.address == "127.0.1.4")
        #expect(try await h.store.topology(clusterId: 1).host("host-4") == again)
        #expect(await h.cluster.topology.host("host-4") == again)
    }

    @Test func anAddIsStoredWithItsCommandThenStartsTheNewInstance() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        try await joinHost4(h)
        let command = try await h.center.submit(.init(role: "CoordinatorServer", host: "host-4", start: true), user: "op")
        #expect(command.kind == .addInstance && command.target == "CoordinatorServer@host-4")
        let ref = InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-4")
        #expect(try await h.store.topology(clusterId: 1).placement(of: ref)?.ordinal == 4)
        #expect(await h.cluster.topology.contains(ref))
        let sent = await h.agents.take()
        #expect(sent.map { "\($0.instance) \($0.operation.rawValue)" } == ["CoordinatorServer@host-4 START"])
        #expect(sent.first?.configuration["port"] == "21100", "a new instance starts from the role's values")
        for task in sent { await h.deliver(task) }
        #expect(try await h.stored(command.id).state == .complete)
        // Another add on the same role and host is refused; on the same host, another role is fine.
        await #expect(throws: StewardError(.roleAlreadyOnHost, "Role 'CoordinatorServer' already has an instance on host 'host-4' (CoordinatorServer@host-4).")) {
            _ = try await h.center.submit(.init(role: "CoordinatorServer", host: "host-4", start: true), user: "op")
        }
    }

    @Test func aRefusedPlacementStoresNothing() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let before = try await h.store.topology(clusterId: 1)
        let refusals: [(AddInstanceRequest, ErrorCode)] = [
            (.init(role: "CoordinatorServer", host: "host-1"), .roleAlreadyOnHost),
            (.init(role: "CoordinatorServer", host: "host-9"), .hostNotFound),
            (.init(role: "Nope", host: "host-1"), .roleNotFound),
        ]
        for (request, code) in refusals {
            do {
                _ = try await h.center.submit(request, user: "op")
                Issue.record("\(request) was accepted")
            } catch let error as StewardError {
                #expect(error.code == code)
            }
        }
        await #expect(throws: StewardError.self) { _ = try await h.center.submitRemove(instance: "Nope@host-1", user: "op") }
        await #expect(throws: StewardError.self) { _ = try await h.center.forget(host: "host-1") }
        #expect(try await h.store.topology(clusterId: 1) == before)
        #expect(await h.cluster.topology == before)
        #expect(try await h.store.commands(CommandFilter()).total == 0)
        #expect(await h.agents.take().isEmpty)
    }

    @Test func aRemovalLeavesTheTopologyOnlyOnceCleanedUpAndDropsTheInstancesValues() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let ref = InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-2")
        let value = ConfigValue(scope: .instance(ref), name: "startup_delay_ms", value: "7")
        _ = try await h.center.submitConfiguration([value], restart: false, user: "op")
        let command = try await h.center.submitRemove(instance: "GatewayServer@host-2", user: "op")
        #expect(command.steps.map(\.name) == ["Stop GatewayServer@host-2", "Clean up GatewayServer@host-2"])
        let stop = await h.agents.take()
        #expect(stop.map(\.operation) == [.stop])
        await h.deliver(stop[0])
        let remove = await h.agents.take()
        #expect(remove.map(\.operation) == [.remove])
        // Still placed while its clean-up runs.
        #expect(await h.cluster.topology.contains(ref))
        // The host is held: nothing else is placed on it meanwhile.
        await #expect(throws: StewardError.self) {
            _ = try await h.center.submit(.init(role: "StorageMaster", host: "host-2", start: false), user: "op")
        }
        await h.deliver(remove[0])
        #expect(try await h.stored(command.id).state == .complete)
        #expect(await !h.cluster.topology.contains(ref))
        #expect(try await !h.store.topology(clusterId: 1).contains(ref))
        #expect(try await !h.store.configValues(clusterId: 1).contains { $0.scope == .instance(ref) })
        #expect(await h.cluster.configuration.value("startup_delay_ms", at: .instance(ref)) == nil)
        #expect(await h.cluster.instanceViews(service: "Gateway", lostHosts: []).map(\.name) == ["GatewayServer@host-3"])
    }

    @Test func aFailedCleanUpLeavesTheInstancePlaced() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let ref = InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-3")
        let command = try await h.center.submitRemove(instance: ref.description, user: "op")
        await h.deliver(await h.agents.take()[0])
        await h.deliver(await h.agents.take()[0], succeeded: false)
        #expect(try await h.stored(command.id).state == .failed)
        #expect(await h.cluster.topology.contains(ref))
        #expect(try await h.store.topology(clusterId: 1).contains(ref))
    }

    @Test func aDecommissionRemovesEveryInstanceThenMarksTheHost() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let command = try await h.center.submitDecommission(host: "host-1", user: "op")
        #expect(command.steps.map(\.name) == ["Stop StorageNode", "Stop StorageMaster", "Stop CoordinatorServer", "Clean up host-1",
                                              "Decommission host-1"])
        #expect(Set(command.services) == ["Coordinator", "Storage"])
        await h.succeedAll()
        #expect(try await h.stored(command.id).state == .complete)
        let topology = try await h.store.topology(clusterId: 1)
        #expect(topology.host("host-1")?.state == .decommissioned)
        #expect(topology.instances(onHost: "host-1").isEmpty)
        #expect(await h.cluster.topology == topology)
        await #expect(throws: StewardError.self) {
            _ = try await h.center.submit(.init(role: "StorageNode", host: "host-1", start: false), user: "op")
        }
        #expect(try await h.center.forget(host: "host-1").name == "host-1")
        #expect(try await h.store.topology(clusterId: 1).host("host-1") == nil)
        #expect(await h.cluster.topology.hostNames == ["host-2", "host-3"])
    }

    @Test func serviceCommandsSeeAddedInstances() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        try await joinHost4(h)
        _ = try await h.center.submit(.init(role: "GatewayServer", host: "host-4", start: false), user: "op")
        await h.succeedAll()
        let start = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "op")
        #expect(start.steps.flatMap(\.tasks).map(\.instance.description) == ["GatewayServer@host-2", "GatewayServer@host-3",
                                                                              "GatewayServer@host-4"])
    }
}

extension CommandCenter {
    /// An add as the route asks it.
    func submit(_ request: AddInstanceRequest, user: String) async throws -> Command {
        try await submitAdd(role: request.role, host: request.host, start: request.start ?? true, user: user)
    }
}
