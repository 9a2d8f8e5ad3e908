import SQLKit
import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// The topology in the store: seeded from the layout once, placed with its
/// command, removed with its values, ordinals kept when instances go.
@Suite struct TopologyStoreTests {
    @Test(arguments: Backend.all) func aNewClusterStoresItsLayoutAndIsNotSeededAgain(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: [], now: 7)
            let stored = try await store.topology(clusterId: 1)
            #expect(stored.placed == Topology(layoutOf: stack).placed)
            #expect(stored.hosts.map(\.name) == ["host-1", "host-2", "host-3"])
            #expect(stored.hosts.allSatisfy { $0.state == .active && $0.joinedAt == 7 })
            #expect(try await store.seedTopology(Topology(layoutOf: stack), clusterId: 1) == false)
        }
    }

    @Test(arguments: Backend.all) func aStoreFromBeforePlacementIsSeededOnce(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: [], now: 7)
            // As a store migrated from version 4 has it: hosts, no instances, no ordinals.
            try await store.removeInstances(Topology(layoutOf: stack).placed.map(\.ref), clusterId: 1)
            try await store.transaction { db in try await db.raw("DELETE FROM role_ordinals").run() }
            #expect(try await store.topology(clusterId: 1).placed.isEmpty)
            #expect(try await store.seedTopology(Topology(layoutOf: stack, joinedAt: 9), clusterId: 1))
            let seeded = try await store.topology(clusterId: 1)
            #expect(seeded.placed == Topology(layoutOf: stack).placed)
            // Hosts it had keep their row.
            #expect(seeded.hosts.allSatisfy { $0.joinedAt == 7 })
            #expect(try await store.seedTopology(Topology(layoutOf: stack), clusterId: 1) == false)
        }
    }

    @Test(arguments: Backend.all) func placementsRemovalsAndHostsRoundTrip(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: [], now: 1)
            let host = HostRecord(name: "host-4", address: "127.0.1.4", cores: 2, memoryMiB: 1024, os: "Debian GNU/Linux 12",
                                  joinedAt: 50)
            try await store.saveHost(host, clusterId: 1)
            var topology = try await store.topology(clusterId: 1)
            #expect(topology.host("host-4") == host)

            let instance = try topology.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack)
            let command = Command(kind: .addInstance, clusterId: 1, target: instance.ref.description, user: "op",
                                  services: ["Coordinator"], steps: Planner.addInstanceSteps(instance, start: true, restale: []),
                                  createdAt: 60)
            let stored = try await store.insert(command, placing: instance, now: 60)
            #expect(stored.id > 0)
            #expect(try await store.command(id: stored.id)?.steps.count == 2)
            topology = try await store.topology(clusterId: 1)
            #expect(topology.placement(of: instance.ref)?.ordinal == 4)

            // A value set for the instance goes when it does; the role's ordinal stays used.
            let value = ConfigValue(scope: .instance(instance.ref), name: "port", value: "21104")
            try await store.reseal([value, ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "WARN")],
                                   clusterId: 1, now: 61)
            try await store.removeInstances([instance.ref], clusterId: 1)
            topology = try await store.topology(clusterId: 1)
            #expect(!topology.contains(instance.ref))
            #expect(try topology.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack).ordinal == 5)
            let values = try await store.configValues(clusterId: 1)
            #expect(!values.contains { $0.scope == .instance(instance.ref) })
            #expect(values.contains { $0.name == "log_level" })

            var decommissioned = host
            decommissioned.state = .decommissioned
            try await store.saveHost(decommissioned, clusterId: 1)
            #expect(try await store.topology(clusterId: 1).host("host-4")?.state == .decommissioned)
            try await store.forgetHost("host-4", clusterId: 1)
            #expect(try await store.topology(clusterId: 1).host("host-4") == nil)
        }
    }

    @Test(arguments: Backend.all) func anInstancePlacedTwiceIsRefusedByTheStoreAndTheCommandIsNotKept(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            let stack = try Fixtures.demo()
            try await store.createCluster(id: 1, name: "demo", description: "", stack: stack, values: [], now: 1)
            let again = PlacedInstance(InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-1"), ordinal: 9)
            let command = Command(kind: .addInstance, clusterId: 1, target: again.ref.description, user: "op",
                                  services: ["Coordinator"], steps: Planner.addInstanceSteps(again, start: false, restale: []),
                                  createdAt: 2)
            await #expect(throws: (any Error).self) { _ = try await store.insert(command, placing: again, now: 2) }
            #expect(try await store.commands(CommandFilter()).total == 0)
            #expect(try await store.topology(clusterId: 1).placement(of: again.ref)?.ordinal == 1)
        }
    }
}
