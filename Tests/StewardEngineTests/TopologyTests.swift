import StewardAPI
import StewardEngine
import Testing

/// The topology: the layout seeds it; every change is checked against it and
/// the stack before anything is stored; ordinals are max+1 and never reused.
struct TopologyTests {
    let stack = TestStack.stack
    var topology: Topology { stack.layout }

    func joined(_ names: String..., to base: Topology? = nil) -> Topology {
        var t = base ?? topology
        for name in names { t.join(HostRecord(name: name, joinedAt: 5)) }
        return t
    }

    @Test func theLayoutPlacesEachRoleOnItsHostsNumberedInOrder() {
        #expect(topology.hostNames == ["host-1", "host-2", "host-3"])
        #expect(topology.hosts.allSatisfy { $0.state == .active })
        #expect(topology.placements(ofRole: "CoordinatorServer").map(\.ordinal) == [1, 2, 3])
        #expect(topology.placements(ofRole: "GatewayServer").map { "\($0.ref.host)#\($0.ordinal)" } == ["host-2#1", "host-3#2"])
        #expect(topology.instances(in: stack).count == 9)
        #expect(topology.instances(in: stack).first == TestStack.ref("CoordinatorServer", "host-1"))
        #expect(topology.instances(in: stack).last == TestStack.ref("GatewayServer", "host-3"))
        #expect(topology.lastOrdinal == ["CoordinatorServer": 3, "StorageMaster": 1, "StorageNode": 3, "GatewayServer": 2])
    }

    @Test func anAddTakesTheNextOrdinal() throws {
        var t = joined("host-4")
        let placed = try t.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack)
        #expect(placed == PlacedInstance(TestStack.ref("CoordinatorServer", "host-4"), ordinal: 4))
        t.place(placed)
        #expect(t.contains(placed.ref))
        #expect(t.instances(onHost: "host-4") == [placed.ref])
        #expect(t.placements(ofRole: "CoordinatorServer").map(\.ordinal) == [1, 2, 3, 4])
        // A role on a host it was not on: its own numbering.
        #expect(try t.checkAdd(role: "GatewayServer", host: "host-1", in: stack).ordinal == 3)
        #expect(try t.checkAdd(role: "StorageMaster", host: "host-4", in: stack).ordinal == 2)
    }

    @Test func aRemovedInstancesOrdinalIsNeverGivenAgain() throws {
        var t = joined("host-4")
        let top = try t.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack)
        t.place(top)
        t.remove(top.ref)
        #expect(!t.contains(top.ref))
        #expect(try t.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack).ordinal == 5)
        // Removing a middle one leaves a gap; the next is still max+1.
        t.remove(TestStack.ref("CoordinatorServer", "host-2"))
        #expect(try t.checkAdd(role: "CoordinatorServer", host: "host-2", in: stack).ordinal == 5)
        // Every instance gone: the numbering still goes on.
        for ref in t.placements(ofRole: "GatewayServer").map(\.ref) { t.remove(ref) }
        #expect(try t.checkAdd(role: "GatewayServer", host: "host-2", in: stack).ordinal == 3)
    }

    @Test func storedOrdinalsSurviveAReload() {
        // The store hands back the highest ordinal a role used, even when that instance is gone.
        let t = Topology(hosts: topology.hosts, placed: topology.placed.filter { $0.ordinal < 3 },
                         lastOrdinal: ["CoordinatorServer": 7])
        #expect(t.lastOrdinal["CoordinatorServer"] == 7)
        #expect(t.lastOrdinal["StorageNode"] == 2)
    }

    @Test func badPlacementsAreRefusedWithTheirCodes() {
        var t = joined("host-4")
        t.setState(.decommissioned, of: "host-4")
        let cases: [(String, String, ErrorCode)] = [
            ("CoordinatorServer", "host-1", .roleAlreadyOnHost),
            ("CoordinatorServer", "host-9", .hostNotFound),
            ("Nope", "host-1", .roleNotFound),
            ("Nope", "host-9", .roleNotFound),
            ("CoordinatorServer", "host-4", .hostDecommissioned),
            ("coordinatorserver", "host-1", .roleNotFound),
            ("CoordinatorServer", "", .hostNotFound),
        ]
        for (role, host, code) in cases {
            let error = #expect(throws: StewardError.self, "\(role)@\(host)") { try t.checkAdd(role: role, host: host, in: stack) }
            #expect(error?.code == code, "\(role)@\(host): \(error?.message ?? "")")
        }
        #expect(#expect(throws: StewardError.self) { try t.checkAdd(role: "StorageNode", host: "host-2", in: stack) }?
            .message.contains("StorageNode@host-2") == true)
        #expect(code(of: { _ = try t.checkDecommission("host-9") }) == .hostNotFound)
        #expect(code(of: { _ = try t.checkForget("host-1") }) == .hostNotEmpty)
        #expect(code(of: { _ = try t.checkForget("host-9") }) == .hostNotFound)
    }

    @Test func instancesAreNamedRoleAtHost() throws {
        #expect(try topology.instance(named: "GatewayServer@host-3") == TestStack.ref("GatewayServer", "host-3"))
        for bad in ["GatewayServer@host-1", "GatewayServer", "@host-2", "GatewayServer@", "Nope@host-1", "", "GatewayServer@host-3@x"] {
            #expect(code(of: { _ = try topology.instance(named: bad) }) == .instanceNotFound, "\(bad)")
        }
    }

    @Test func decommissionNamesTheHostsInstancesAndForgetNeedsItEmpty() throws {
        var t = topology
        let (host, instances) = try t.checkDecommission("host-1")
        #expect(host.name == "host-1")
        #expect(Set(instances) == [TestStack.ref("CoordinatorServer", "host-1"), TestStack.ref("StorageMaster", "host-1"),
                                   TestStack.ref("StorageNode", "host-1")])
        for ref in instances { t.remove(ref) }
        t.setState(.decommissioned, of: "host-1")
        #expect(try t.checkForget("host-1").state == .decommissioned)
        t.forget("host-1")
        #expect(t.hostNames == ["host-2", "host-3"])
        // A host never given instances may be forgotten as it is.
        var fresh = joined("host-5")
        #expect(try fresh.checkForget("host-5").name == "host-5")
        fresh.forget("host-5")
        #expect(fresh.host("host-5") == nil)
        // Forget of a host with instances is a no-op if called unchecked.
        fresh.forget("host-2")
        #expect(fresh.host("host-2") != nil)
    }

    @Test func aJoinAddsAHostOrUpdatesItsFactsKeepingStateAndJoinTime() {
        var t = topology
        t.join(HostRecord(name: "host-4", address: "127.0.1.4", cores: 4, memoryMiB: 2048, os: "Debian", joinedAt: 50))
        #expect(t.hostNames.last == "host-4")
        t.setState(.decommissioned, of: "host-4")
        t.join(HostRecord(name: "host-4", address: "127.0.1.44", joinedAt: 99))
        let host = t.host("host-4")
        #expect(host?.address == "127.0.1.44" && host?.cores == 4 && host?.os == "Debian")
        #expect(host?.state == .decommissioned && host?.joinedAt == 50)
        #expect(t.hosts.count == 4)
    }

    @Test func membersListEachRoleByOrdinalWithTheHostsAddressElseItsName() throws {
        var t = topology
        t.join(HostRecord(name: "host-2", address: "127.0.1.2", joinedAt: 0))
        t.join(HostRecord(name: "host-4", address: "127.0.1.4", joinedAt: 0))
        t.place(try t.checkAdd(role: "CoordinatorServer", host: "host-4", in: stack))
        t.remove(TestStack.ref("CoordinatorServer", "host-1"))
        let members = t.members(in: stack)["CoordinatorServer"] ?? []
        #expect(members.map { "\($0.ordinal)=\($0.address)" } == ["2=127.0.1.2", "3=host-3", "4=127.0.1.4"])
        #expect(t.members(in: stack)["StorageMaster"]?.map(\.ordinal) == [1])
        #expect(Set(t.members(in: stack).keys) == ["CoordinatorServer", "StorageMaster", "StorageNode", "GatewayServer"])
    }

    @Test func placingTwiceIsANoOp() throws {
        var t = topology
        let placed = t.placement(of: TestStack.ref("StorageNode", "host-2"))!
        t.place(placed)
        #expect(t.placements(ofRole: "StorageNode").count == 3)
    }

    private func code(of body: () throws -> Void) -> ErrorCode? {
        do { try body() } catch let error as StewardError { return error.code } catch { return nil }
        return nil
    }
}
