import StewardAPI
import StewardEngine
import Testing

@Suite("Planner")
struct PlannerTests {
    let stack = TestStack.stack

    // MARK: start order and dependency sets

    @Test func startOrderFollowsDependencies() {
        #expect(Planner.startOrder(stack) == ["Coordinator", "Storage", "Gateway"])
    }

    @Test func startOrderDoesNotDependOnStackOrder() {
        let reversed = Stack(name: stack.name, version: stack.version, description: stack.description,
                             services: stack.services.reversed(), cluster: stack.cluster)
        #expect(Planner.startOrder(reversed) == ["Coordinator", "Storage", "Gateway"])
    }

    @Test func startOrderKeepsStackOrderForIndependentServices() {
        let independent = ["Zeta", "Alpha", "Mid"].map { name in
            ServiceDefinition(name: name, description: "", version: "1", dependsOn: [], configurations: [],
                              roles: [TestStack.role("\(name)Role", hosts: ["host-1"], port: "2000")])
        }
        let s = Stack(name: "x", version: "1", description: "", services: independent, cluster: stack.cluster)
        #expect(Planner.startOrder(s) == ["Zeta", "Alpha", "Mid"])
    }

    @Test func dependenciesAndDependents() {
        #expect(Planner.dependencies(of: "Gateway", in: stack) == ["Gateway", "Storage", "Coordinator"])
        #expect(Planner.dependencies(of: "Storage", in: stack) == ["Storage", "Coordinator"])
        #expect(Planner.dependencies(of: "Coordinator", in: stack) == ["Coordinator"])
        #expect(Planner.dependents(of: "Coordinator", in: stack) == ["Coordinator", "Storage", "Gateway"])
        #expect(Planner.dependents(of: "Storage", in: stack) == ["Storage", "Gateway"])
        #expect(Planner.dependents(of: "Gateway", in: stack) == ["Gateway"])
    }

    // MARK: role order

    /// A service of two roles on two hosts, in the given order.
    func twoRoles(_ order: RoleOrder) -> Stack {
        let service = ServiceDefinition(name: "Pair", description: "", version: "1", dependsOn: [], configurations: [],
                                        roles: [TestStack.role("First", hosts: ["host-1", "host-2"], port: "2000"),
                                                TestStack.role("Second", hosts: ["host-2"], port: "2001")],
                                        roleOrder: order)
        return Stack(name: "x", version: "1", description: "", services: [service], cluster: stack.cluster)
    }

    @Test func sequentialRolesStartOneStepEachAndStopInReverse() throws {
        let s = twoRoles(.sequential)
        let (_, start) = try Planner.plan(.startService, service: "Pair", onlySelf: true, in: s, topology: s.layout)
        #expect(start.map(\.name) == ["Start First", "Start Second"])
        let (_, stop) = try Planner.plan(.stopService, service: "Pair", onlySelf: true, in: s, topology: s.layout)
        #expect(stop.map(\.name) == ["Stop Second", "Stop First"])
    }

    @Test func parallelRolesShareOneStepWithEveryInstance() throws {
        let s = twoRoles(.parallel)
        let (_, steps) = try Planner.plan(.restartService, service: "Pair", onlySelf: true, in: s, topology: s.layout)
        #expect(steps.map(\.name) == ["Stop Pair (2 roles)", "Start Pair (2 roles)"])
        #expect(steps.map(\.index) == [0, 1])
        #expect(steps[1].description == "Start First, Second of Pair on host-1, host-2")
        #expect(steps[1].tasks.map(\.instance.description) == ["First@host-1", "First@host-2", "Second@host-2"])
        #expect(steps[0].tasks.map(\.instance.role) == ["Second", "First", "First"])
        #expect(steps.allSatisfy { $0.tasks.count == 3 })
    }

    // MARK: start

    @Test func startWithDependencies() throws {
        let (services, steps) = try Planner.plan(.startService, service: "Gateway", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Coordinator", "Storage", "Gateway"])
        #expect(steps.map(\.name) == ["Start CoordinatorServer", "Start StorageMaster", "Start StorageNode", "Start GatewayServer"])
        #expect(steps.map(\.index) == [0, 1, 2, 3])
        #expect(steps.map(\.tasks.count) == [3, 1, 3, 2])
        #expect(steps[0].description == "Start CoordinatorServer of Coordinator on host-1, host-2, host-3")
        #expect(steps[3].description == "Start GatewayServer of Gateway on host-2, host-3")
        #expect(steps.allSatisfy { $0.state == .pending })
        #expect(steps.flatMap(\.tasks).allSatisfy { $0.operation == .start && $0.state == .pending })
        // One task per instance of the services, each exactly once.
        let instances = steps.flatMap(\.tasks).map(\.instance)
        #expect(instances.count == Set(instances).count)
        #expect(Set(instances) == Set(stack.instances))
        #expect(steps[3].tasks.map(\.instance) == [TestStack.ref("GatewayServer", "host-2"), TestStack.ref("GatewayServer", "host-3")])
    }

    @Test func startOnlySelf() throws {
        let (services, steps) = try Planner.plan(.startService, service: "Gateway", onlySelf: true, in: stack, topology: stack.layout)
        #expect(services == ["Gateway"])
        #expect(steps.map(\.name) == ["Start GatewayServer"])
        #expect(steps[0].index == 0)
        #expect(steps[0].tasks.map(\.instance.host) == ["host-2", "host-3"])
    }

    @Test func startOfARootServiceStartsOnlyIt() throws {
        let (services, steps) = try Planner.plan(.startService, service: "Coordinator", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Coordinator"])
        #expect(steps.map(\.name) == ["Start CoordinatorServer"])
        #expect(steps[0].tasks.map(\.instance.host) == ["host-1", "host-2", "host-3"])
    }

    @Test func startOfStorageStartsRolesInStackOrder() throws {
        let (services, steps) = try Planner.plan(.startService, service: "Storage", onlySelf: true, in: stack, topology: stack.layout)
        #expect(services == ["Storage"])
        #expect(steps.map(\.name) == ["Start StorageMaster", "Start StorageNode"])
        #expect(steps.map(\.tasks.count) == [1, 3])
    }

    // MARK: stop

    @Test func stopWithDependents() throws {
        let (services, steps) = try Planner.plan(.stopService, service: "Coordinator", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Coordinator", "Storage", "Gateway"])
        #expect(steps.map(\.name) == ["Stop GatewayServer", "Stop StorageNode", "Stop StorageMaster", "Stop CoordinatorServer"])
        #expect(steps.map(\.index) == [0, 1, 2, 3])
        #expect(steps.flatMap(\.tasks).allSatisfy { $0.operation == .stop })
        #expect(steps.flatMap(\.tasks).count == 9)
        #expect(steps[1].description == "Stop StorageNode of Storage on host-1, host-2, host-3")
    }

    @Test func stopOnlySelf() throws {
        let (services, steps) = try Planner.plan(.stopService, service: "Coordinator", onlySelf: true, in: stack, topology: stack.layout)
        #expect(services == ["Coordinator"])
        #expect(steps.map(\.name) == ["Stop CoordinatorServer"])
        #expect(steps[0].tasks.count == 3)
    }

    @Test func stopOfALeafServiceStopsOnlyIt() throws {
        let (services, steps) = try Planner.plan(.stopService, service: "Gateway", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Gateway"])
        #expect(steps.map(\.name) == ["Stop GatewayServer"])
    }

    // MARK: restart

    @Test func restartWithDependents() throws {
        let (services, steps) = try Planner.plan(.restartService, service: "Storage", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Storage", "Gateway"])
        #expect(steps.map(\.name) == [
            "Stop GatewayServer", "Stop StorageNode", "Stop StorageMaster",
            "Start StorageMaster", "Start StorageNode", "Start GatewayServer",
        ])
        #expect(steps.map(\.index) == Array(0..<6))
        #expect(steps[0..<3].flatMap(\.tasks).allSatisfy { $0.operation == .stop })
        #expect(steps[3..<6].flatMap(\.tasks).allSatisfy { $0.operation == .start })
        // Every instance once per operation.
        let expected = Set(stack.instances.filter { ["Storage", "Gateway"].contains($0.service) })
        let stops = steps.flatMap(\.tasks).filter { $0.operation == .stop }.map(\.instance)
        let starts = steps.flatMap(\.tasks).filter { $0.operation == .start }.map(\.instance)
        #expect(stops.count == expected.count && Set(stops) == expected)
        #expect(starts.count == expected.count && Set(starts) == expected)
    }

    @Test func restartOnlySelf() throws {
        let (services, steps) = try Planner.plan(.restartService, service: "Storage", onlySelf: true, in: stack, topology: stack.layout)
        #expect(services == ["Storage"])
        #expect(steps.map(\.name) == ["Stop StorageNode", "Stop StorageMaster", "Start StorageMaster", "Start StorageNode"])
        #expect(steps.map(\.index) == [0, 1, 2, 3])
    }

    @Test func restartOfTheRootRestartsEverything() throws {
        let (services, steps) = try Planner.plan(.restartService, service: "Coordinator", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services == ["Coordinator", "Storage", "Gateway"])
        #expect(steps.count == 8)
        #expect(steps.first?.name == "Stop GatewayServer")
        #expect(steps[3].name == "Stop CoordinatorServer")
        #expect(steps[4].name == "Start CoordinatorServer")
        #expect(steps.last?.name == "Start GatewayServer")
        #expect(steps.flatMap(\.tasks).count == 18)
    }

    @Test func saveConfigurationKindPlansNothing() throws {
        let (services, steps) = try Planner.plan(.saveConfiguration, service: "Storage", onlySelf: false, in: stack, topology: stack.layout)
        #expect(services.isEmpty)
        #expect(steps.isEmpty)
    }

    @Test(arguments: [CommandKind.startService, .stopService, .restartService])
    func unknownServiceThrows(kind: CommandKind) {
        let error = #expect(throws: StewardError.self) {
            try Planner.plan(kind, service: "Nope", onlySelf: false, in: stack, topology: stack.layout)
        }
        #expect(error?.code == .serviceNotFound)
        #expect(error?.message.contains("Nope") == true)
    }

    // MARK: restartSteps and numbering

    @Test func restartStepsOfSomeInstances() {
        let set: Set = [
            TestStack.ref("StorageNode", "host-2"),
            TestStack.ref("CoordinatorServer", "host-1"),
            TestStack.ref("GatewayServer", "host-3"),
        ]
        let steps = Planner.restartSteps(of: set, in: stack, topology: stack.layout)
        #expect(steps.map(\.name) == [
            "Stop GatewayServer", "Stop StorageNode", "Stop CoordinatorServer",
            "Start CoordinatorServer", "Start StorageNode", "Start GatewayServer",
        ])
        #expect(steps.map { $0.tasks.map(\.instance.host) } == [["host-3"], ["host-2"], ["host-1"], ["host-1"], ["host-2"], ["host-3"]])
        #expect(steps[0].description == "Stop GatewayServer of Gateway on host-3")
        #expect(!steps.contains { $0.name.contains("StorageMaster") })
    }

    @Test func restartStepsOfNothingIsEmpty() {
        #expect(Planner.restartSteps(of: [], in: stack, topology: stack.layout).isEmpty)
    }

    @Test func numberedRenumbersAndKeepsState() {
        var a = Step(index: 5, name: "A", description: "a", tasks: [])
        a.state = .succeeded
        let b = Step(index: 0, name: "B", description: "b", tasks: [CommandTask(instance: TestStack.ref("GatewayServer", "host-2"), operation: .start)])
        let steps = Planner.numbered([a, b, a])
        #expect(steps.map(\.index) == [0, 1, 2])
        #expect(steps.map(\.name) == ["A", "B", "A"])
        #expect(steps.map(\.state) == [.succeeded, .pending, .succeeded])
        #expect(steps[1].tasks == b.tasks)

        let restart = Planner.numbered(Planner.restartSteps(of: Set(stack.instances), in: stack, topology: stack.layout))
        #expect(restart.map(\.index) == Array(0..<8))
    }
}
