import StewardAPI
import StewardEngine
@testable import StewardStore
import Testing

/// What should run, as the store tells a manager at start-up: each instance's
/// last successful start or stop by an operator's command.
@Suite("Last operations")
struct LastOperationsTests {
    /// Stores `draft` and runs it to its end, every task succeeding except those `failing` names.
    static func run(_ draft: Command, on store: SQLStore, failing: (CommandTask) -> Bool = { _ in false }) async throws {
        var command = try await store.insert(draft, saving: [], now: 1)
        var change = command.advance(now: 2)
        while !command.state.isTerminal {
            let running = command.runningTasks
            guard !running.isEmpty else { break }
            for task in running {
                change.merge(command.complete(taskID: task.id, outcome: failing(task) ? .failure(.taskFailed, "no") : .init(succeeded: true),
                                              now: 3))
            }
        }
        try await store.save(command, change: change)
    }

    static let gateway2 = InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-2")

    @Test(arguments: Backend.all) func theLatestSucceededOperationOfEachInstanceWins(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            #expect(try await store.lastOperations(clusterId: 1).isEmpty)
            try await Self.run(try Fixtures.command(.startService, service: "Gateway"), on: store)
            var last = try await store.lastOperations(clusterId: 1)
            #expect(last.count == 9 && last.values.allSatisfy { $0 == .start }, "\(last)")
            try await Self.run(try Fixtures.command(.stopService, service: "Gateway", onlySelf: true), on: store)
            last = try await store.lastOperations(clusterId: 1)
            #expect(last[Self.gateway2] == .stop)
            #expect(last[Fixtures.coordinator2] == .start)
            // A restart whose start failed: its stop is the last that succeeded.
            try await Self.run(try Fixtures.command(.restartService, service: "Coordinator", onlySelf: true), on: store) {
                $0.operation == .start && $0.instance == Fixtures.coordinator2
            }
            #expect(try await store.lastOperations(clusterId: 1)[Fixtures.coordinator2] == .stop)
            // Another cluster's commands are not this one's.
            #expect(try await store.lastOperations(clusterId: 2).isEmpty)
        }
    }

    @Test(arguments: Backend.all) func theManagersOwnRestartsDoNotCount(_ backend: Backend) async throws {
        try await withStore(backend) { store in
            try await Self.run(try Fixtures.command(.stopService, service: "Gateway", onlySelf: true), on: store)
            let restart = Command(kind: .restartInstance, clusterId: 1, target: "\(Self.gateway2) after failure (attempt 1)", user: "system",
                                  services: ["Gateway"], steps: Planner.restartSteps(of: [Self.gateway2], in: try Fixtures.demo(),
                                                                                   topology: Topology(layoutOf: try Fixtures.demo())),
                                  createdAt: 5)
            try await Self.run(restart, on: store)
            #expect(try await store.lastOperations(clusterId: 1)[Self.gateway2] == .stop)
        }
    }
}
