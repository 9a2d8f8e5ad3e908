import StewardAPI
import StewardEngine
import Testing

/// The steps of the placement commands, and the plans of the service commands
/// over a topology that is not the layout.
struct PlacementPlanTests {
    let stack = TestStack.stack

    @Test func anAddRendersThenStartsOrOnlyPlaces() {
        let ref = TestStack.ref("CoordinatorServer", "host-4")
        let members = stack.layout.placements(ofRole: "CoordinatorServer").map(\.ref)
        let steps = Planner.addInstanceSteps(PlacedInstance(ref, ordinal: 4), start: true, restale: members)
        #expect(steps.map(\.name) == ["Render configuration", "Start CoordinatorServer@host-4"])
        #expect(steps.map(\.index) == [0, 1])
        #expect(steps[0].tasks.isEmpty)
        #expect(steps[0].description.contains("member 4"))
        #expect(steps[0].description.contains("CoordinatorServer@host-1"))
        #expect(steps[1].tasks.map { "\($0.instance) \($0.operation.rawValue)" } == ["CoordinatorServer@host-4 START"])
        let placeOnly = Planner.addInstanceSteps(PlacedInstance(ref, ordinal: 4), start: false, restale: [])
        #expect(placeOnly.map(\.name) == ["Render configuration"])
    }

    @Test func aRemovalStopsThenCleansUp() {
        let ref = TestStack.ref("StorageNode", "host-2")
        let steps = Planner.removeInstanceSteps(ref)
        #expect(steps.map(\.name) == ["Stop StorageNode@host-2", "Clean up StorageNode@host-2"])
        #expect(steps.flatMap(\.tasks).map(\.operation) == [.stop, .remove])
    }

    @Test func aDecommissionStopsDependentsFirstThenCleansUpThenMarks() throws {
        let (_, instances) = try stack.layout.checkDecommission("host-1")
        let steps = Planner.decommissionSteps(host: "host-1", instances: instances, in: stack, topology: stack.layout)
        #expect(steps.map(\.name) == ["Stop StorageNode", "Stop StorageMaster", "Stop CoordinatorServer", "Clean up host-1",
                                      "Decommission host-1"])
        #expect(steps[3].tasks.map(\.instance.description) == ["CoordinatorServer@host-1", "StorageMaster@host-1", "StorageNode@host-1"])
        #expect(steps[3].tasks.allSatisfy { $0.operation == .remove })
        #expect(steps.last?.tasks.isEmpty == true)
        // An empty host: only the mark.
        var t = stack.layout
        t.join(HostRecord(name: "host-4", joinedAt: 1))
        #expect(Planner.decommissionSteps(host: "host-4", instances: [], in: stack, topology: t).map(\.name) == ["Decommission host-4"])
    }

    @Test func serviceCommandsFollowTheTopologyNotTheLayout() throws {
        var t = stack.layout
        t.join(HostRecord(name: "host-4", joinedAt: 1))
        t.place(try t.checkAdd(role: "GatewayServer", host: "host-4", in: stack))
        t.remove(TestStack.ref("GatewayServer", "host-2"))
        let (_, steps) = try Planner.plan(.startService, service: "Gateway", onlySelf: true, in: stack, topology: t)
        #expect(steps.flatMap(\.tasks).map(\.instance.description) == ["GatewayServer@host-3", "GatewayServer@host-4"])
        let restart = Planner.restartSteps(of: [TestStack.ref("GatewayServer", "host-4")], in: stack, topology: t)
        #expect(restart.map(\.name) == ["Stop GatewayServer", "Start GatewayServer"])
    }

    @Test func configurationChecksInstancesAgainstTheTopology() throws {
        var t = stack.layout
        t.join(HostRecord(name: "host-4", joinedAt: 1))
        let newcomer = TestStack.ref("GatewayServer", "host-4")
        let change = ConfigValue(scope: .instance(newcomer), name: "port", value: "22000")
        #expect(throws: StewardError.self) { try Configuration.validate([change], in: stack, topology: t) }
        t.place(try t.checkAdd(role: "GatewayServer", host: "host-4", in: stack))
        #expect(try Configuration.validate([change], in: stack, topology: t).count == 1)
        var after = Configuration()
        after.set(change)
        #expect(Configuration.affectedInstances(before: Configuration(), after: after, in: stack, topology: t) == [newcomer])
        after.drop(newcomer)
        #expect(after.value("port", at: .instance(newcomer)) == nil)
    }
}
