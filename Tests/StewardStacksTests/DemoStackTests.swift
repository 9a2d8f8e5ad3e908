import StewardAPI
import StewardEngine
import StewardStacks
import Testing

@Suite("Bundled demo stack")
struct DemoStackTests {
    func demo(portShift: Int = 0) throws -> Stack {
        try StackLoader.load(nameOrPath: "demo", portShift: portShift)
    }

    /// The port an instance listens on when nothing is configured.
    func port(of instance: InstanceRef, in stack: Stack) throws -> Int {
        let (_, role) = try #require(stack.role(instance.role))
        let value = try #require(role.instanceDefaults[instance.host]?["port"]
            ?? role.configurations.first { $0.name == "port" }?.defaultValue)
        return try #require(Int(value))
    }

    @Test func isBundled() {
        #expect(StackLoader.bundled.keys.contains("demo"))
    }

    @Test func clusterLayout() throws {
        let stack = try demo()
        #expect(stack.name == "demo")
        #expect(stack.cluster.id == 1)
        #expect(stack.cluster.hosts == ["host-1", "host-2", "host-3"])
    }

    @Test func servicesRolesAndPlacements() throws {
        let stack = try demo()
        #expect(stack.services.map(\.name) == ["Coordinator", "Storage", "Gateway"])
        #expect(stack.service("Coordinator")?.dependsOn == [])
        #expect(stack.service("Storage")?.dependsOn == ["Coordinator"])
        #expect(stack.service("Gateway")?.dependsOn == ["Storage"])
        #expect(stack.services.map { $0.roles.map(\.name) } == [["CoordinatorServer"], ["StorageMaster", "StorageNode"], ["GatewayServer"]])
        let placements = Dictionary(uniqueKeysWithValues: stack.services.flatMap(\.roles).map { ($0.name, $0.hosts) })
        #expect(placements == [
            "CoordinatorServer": ["host-1", "host-2", "host-3"],
            "StorageMaster": ["host-1"],
            "StorageNode": ["host-1", "host-2", "host-3"],
            "GatewayServer": ["host-2", "host-3"],
        ])
        #expect(Topology(layoutOf: stack).instances(in: stack).count == 9)
        #expect(Planner.startOrder(stack) == ["Coordinator", "Storage", "Gateway"])
    }

    @Test func everyRoleHasAPortParameterAndAnHTTPCheckOnIt() throws {
        let stack = try demo()
        for role in stack.services.flatMap(\.roles) {
            let port = try #require(role.configurations.first { $0.name == "port" }, "\(role.name) has no port")
            #expect(port.type == .port)
            #expect(port.validate(port.defaultValue) == nil)
            #expect(role.process.check == .http(portParameter: "port", path: "/health"))
            #expect(!role.process.start.isEmpty)
        }
    }

    @Test func everyDefaultIsValid() throws {
        let stack = try demo()
        for service in stack.services {
            for p in service.configurations + service.roles.flatMap(\.configurations) {
                #expect(p.validate(p.defaultValue) == nil, "\(service.name).\(p.name)")
            }
        }
    }

    @Test func instancePortsAreDistinct() throws {
        let stack = try demo()
        let ports = try Topology(layoutOf: stack).instances(in: stack).map { try port(of: $0, in: stack) }
        #expect(ports.count == 9)
        #expect(Set(ports).count == 9)
        #expect(try port(of: InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-2"), in: stack) == 21102)
        // Every instance has its own value, not just the role default.
        for instance in Topology(layoutOf: stack).instances(in: stack) {
            let (_, role) = try #require(stack.role(instance.role))
            #expect(role.instanceDefaults[instance.host]?["port"] != nil, "\(instance)")
        }
    }

    @Test func portShiftMovesEveryPortAndNothingElse() throws {
        let base = try demo()
        let shifted = try demo(portShift: 1000)
        #expect(shifted.cluster == base.cluster)
        #expect(shifted.services.map(\.name) == base.services.map(\.name))
        for (s0, s1) in zip(base.services, shifted.services) {
            #expect(s0.configurations == s1.configurations, "service parameters of \(s0.name) are not ports")
            #expect(s0.dependsOn == s1.dependsOn)
            for (r0, r1) in zip(s0.roles, s1.roles) {
                #expect(r0.hosts == r1.hosts)
                #expect(r0.configurations.count == r1.configurations.count)
                for (p0, p1) in zip(r0.configurations, r1.configurations) {
                    #expect(p0.name == p1.name)
                    if p0.type == .port {
                        #expect(Int(p1.defaultValue) == Int(p0.defaultValue)! + 1000, "\(r0.name).\(p0.name)")
                    } else {
                        #expect(p1 == p0)
                    }
                }
                #expect(r0.instanceDefaults.keys.sorted() == r1.instanceDefaults.keys.sorted())
                for (host, values) in r0.instanceDefaults {
                    for (name, value) in values {
                        let isPort = r0.configurations.first { $0.name == name }?.type == .port
                        let expected = isPort ? String(Int(value)! + 1000) : value
                        #expect(r1.instanceDefaults[host]?[name] == expected, "\(r0.name)@\(host).\(name)")
                    }
                }
            }
        }
        #expect(try port(of: InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-3"), in: shifted) == 22303)
        let ports = try Topology(layoutOf: shifted).instances(in: shifted).map { try port(of: $0, in: shifted) }
        #expect(Set(ports).count == 9)
    }

    @Test func portShiftOutOfRangeIsRejected() {
        let error = #expect(throws: StackError.self) { try demo(portShift: 50000) }
        #expect(error?.problems.isEmpty == false)
        #expect(error?.problems.allSatisfy { $0.contains("port") } == true)
    }

    @Test func unknownNameOrPathFails() {
        #expect(throws: (any Error).self) { try StackLoader.load(nameOrPath: "/nonexistent/steward-stack.json") }
    }
}
