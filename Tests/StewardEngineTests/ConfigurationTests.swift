import StewardAPI
import StewardEngine
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    let stack = TestStack.stack
    let coordinator1 = TestStack.ref("CoordinatorServer", "host-1")
    let coordinator2 = TestStack.ref("CoordinatorServer", "host-2")
    let coordinatorRole = ConfigScope.role(service: "Coordinator", role: "CoordinatorServer")

    // MARK: effective values

    @Test func defaultsWhenNothingIsSet() {
        let effective = Configuration().effective(for: coordinator1, in: stack)
        #expect(effective == ["log_level": "INFO", "session_timeout_ms": "30000", "port": "21100", "startup_delay_ms": "0"])
        let gateway = Configuration().effective(for: TestStack.ref("GatewayServer", "host-3"), in: stack)
        #expect(gateway == ["max_connections": "256", "port": "21300", "startup_delay_ms": "0"])
    }

    @Test func serviceLevelOverridesDefault() {
        let config = Configuration([ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "DEBUG")])
        for host in TestStack.hosts {
            #expect(config.effective(for: TestStack.ref("CoordinatorServer", host), in: stack)["log_level"] == "DEBUG")
        }
        #expect(config.effective(for: coordinator1, in: stack)["session_timeout_ms"] == "30000")
        #expect(config.effective(for: TestStack.ref("StorageNode", "host-1"), in: stack)["log_level"] == nil)
    }

    @Test func roleAndInstanceLevels() {
        // Instance level first in the list: precedence must not depend on order.
        let config = Configuration([
            ConfigValue(scope: .instance(coordinator2), name: "port", value: "22002"),
            ConfigValue(scope: coordinatorRole, name: "port", value: "22000"),
        ])
        #expect(config.effective(for: coordinator1, in: stack)["port"] == "22000")
        #expect(config.effective(for: coordinator2, in: stack)["port"] == "22002")
        #expect(config.effective(for: TestStack.ref("CoordinatorServer", "host-3"), in: stack)["port"] == "22000")
        // Other roles keep their defaults.
        #expect(config.effective(for: TestStack.ref("StorageMaster", "host-1"), in: stack)["port"] == "21200")
    }

    @Test func instanceLevelOverridesDefaultWithoutRoleLevel() {
        let node2 = TestStack.ref("StorageNode", "host-2")
        let config = Configuration([ConfigValue(scope: .instance(node2), name: "startup_delay_ms", value: "500")])
        #expect(config.effective(for: node2, in: stack)["startup_delay_ms"] == "500")
        #expect(config.effective(for: TestStack.ref("StorageNode", "host-1"), in: stack)["startup_delay_ms"] == "0")
    }

    @Test func roleLevelOfOneRoleDoesNotLeakToAnother() {
        let config = Configuration([ConfigValue(scope: .role(service: "Storage", role: "StorageNode"), name: "port", value: "23000")])
        #expect(config.effective(for: TestStack.ref("StorageNode", "host-1"), in: stack)["port"] == "23000")
        #expect(config.effective(for: TestStack.ref("StorageMaster", "host-1"), in: stack)["port"] == "21200")
    }

    @Test func unknownRoleHasNoEffectiveConfiguration() {
        let ghost = InstanceRef(service: "Coordinator", role: "Ghost", host: "host-1")
        #expect(Configuration().effective(for: ghost, in: stack).isEmpty)
    }

    @Test func setOverwritesAndValueReads() {
        var config = Configuration()
        #expect(config.value("log_level", at: .service("Coordinator")) == nil)
        config.set(ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "WARN"))
        config.set(ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "ERROR"))
        #expect(config.value("log_level", at: .service("Coordinator")) == "ERROR")
        #expect(config.values.count == 1)
        #expect(config.effective(for: coordinator1, in: stack)["log_level"] == "ERROR")
    }

    // MARK: validation

    @Test func validChangesAreNormalized() throws {
        let changes = [
            ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "WARN"),
            ConfigValue(scope: coordinatorRole, name: "port", value: " 22000 "),
            ConfigValue(scope: .instance(coordinator2), name: "port", value: "22002"),
        ]
        let normalized = try Configuration.validate(changes, in: stack, topology: stack.layout)
        #expect(normalized.map(\.value) == ["WARN", "22000", "22002"])
        #expect(normalized.map(\.scope) == changes.map(\.scope))
        #expect(normalized.map(\.name) == ["log_level", "port", "port"])
    }

    @Test func unknownParameter() {
        let error = #expect(throws: StewardError.self) {
            try Configuration.validate([ConfigValue(scope: .service("Coordinator"), name: "colour", value: "red")], in: stack, topology: stack.layout)
        }
        #expect(error?.code == .unknownConfiguration)
        #expect(error?.message.contains("'colour' is not a parameter of Coordinator") == true)
    }

    @Test func roleParameterAtServiceLevelIsALevelMismatch() {
        let error = #expect(throws: StewardError.self) {
            try Configuration.validate([ConfigValue(scope: .service("Coordinator"), name: "port", value: "22000")], in: stack, topology: stack.layout)
        }
        #expect(error?.code == .configurationLevelMismatch)
        #expect(error?.message.contains("'port' cannot be set at Coordinator") == true)
    }

    @Test func serviceParameterAtRoleOrInstanceLevelIsALevelMismatch() {
        for scope in [coordinatorRole, .instance(coordinator1)] {
            let error = #expect(throws: StewardError.self) {
                try Configuration.validate([ConfigValue(scope: scope, name: "log_level", value: "INFO")], in: stack, topology: stack.layout)
            }
            #expect(error?.code == .configurationLevelMismatch)
        }
    }

    @Test func invalidValue() {
        let error = #expect(throws: StewardError.self) {
            try Configuration.validate([ConfigValue(scope: .service("Storage"), name: "replication", value: "4")], in: stack, topology: stack.layout)
        }
        #expect(error?.code == .invalidConfigurationValue)
        #expect(error?.message.contains("replication must be integer 1-3, got 4") == true)
    }

    @Test func everyProblemIsLocatedForAnEditor() {
        let error = #expect(throws: StewardError.self) {
            try Configuration.validate([
                ConfigValue(scope: .service("Storage"), name: "replication", value: "4"),
                ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "WARN"),
                ConfigValue(scope: coordinatorRole, name: "port", value: "80"),
                ConfigValue(scope: .instance(coordinator2), name: "port", value: "x"),
            ], in: stack, topology: stack.layout)
        }
        // The valid value has no problem; each bad one says where it was set.
        #expect(error?.problems.map { [$0.serviceName, $0.roleName ?? "-", $0.hostName ?? "-", $0.name] } == [
            ["Storage", "-", "-", "replication"],
            ["Coordinator", "CoordinatorServer", "-", "port"],
            ["Coordinator", "CoordinatorServer", "host-2", "port"],
        ])
        #expect(error?.problems.first?.message.contains("integer 1-3, got 4") == true)
        #expect(error?.problems.allSatisfy { error?.message.contains($0.message) == true } == true)
    }

    @Test func unknownInstanceHost() {
        for instance in [InstanceRef(service: "Coordinator", role: "CoordinatorServer", host: "host-9"),
                         InstanceRef(service: "Storage", role: "StorageMaster", host: "host-2")] {
            let error = #expect(throws: StewardError.self) {
                try Configuration.validate([ConfigValue(scope: .instance(instance), name: "port", value: "22000")], in: stack, topology: stack.layout)
            }
            #expect(error?.code == .instanceNotFound)
        }
    }

    @Test func unknownServiceOrRole() {
        let noService = #expect(throws: StewardError.self) {
            try Configuration.validate([ConfigValue(scope: .service("Nope"), name: "x", value: "1")], in: stack, topology: stack.layout)
        }
        #expect(noService?.code == .serviceNotFound)
        let noRole = #expect(throws: StewardError.self) {
            try Configuration.validate([ConfigValue(scope: .role(service: "Storage", role: "CoordinatorServer"), name: "port", value: "22000")], in: stack, topology: stack.layout)
        }
        #expect(noRole?.code == .roleNotFound)
    }

    @Test func validationIsAllOrNothingAndReportsEveryProblem() {
        let changes = [
            ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "WARN"),   // valid
            ConfigValue(scope: .service("Storage"), name: "replication", value: "0"),        // invalid value
            ConfigValue(scope: .service("Gateway"), name: "nope", value: "1"),               // unknown
        ]
        let error = #expect(throws: StewardError.self) { try Configuration.validate(changes, in: stack, topology: stack.layout) }
        // The first problem gives the code; every problem is in the message.
        #expect(error?.code == .invalidConfigurationValue)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("Configuration rejected, nothing was saved: "))
        #expect(message.contains("replication"))
        #expect(message.contains("'nope' is not a parameter of Gateway"))
        #expect(!message.contains("log_level"))
    }

    @Test func parametersAtScopes() throws {
        #expect(try Configuration.parameters(at: .service("Storage"), in: stack).map(\.name) == ["replication"])
        #expect(try Configuration.parameters(at: .role(service: "Storage", role: "StorageNode"), in: stack).map(\.name)
            == ["port", "startup_delay_ms"])
        #expect(try Configuration.parameters(at: .instance(TestStack.ref("GatewayServer", "host-2")), in: stack).map(\.name)
            == ["port", "startup_delay_ms"])
    }

    @Test func scopeDescriptions() {
        #expect(ConfigScope.service("Storage").description == "Storage")
        #expect(ConfigScope.role(service: "Storage", role: "StorageNode").description == "Storage/StorageNode")
        #expect(ConfigScope.instance(TestStack.ref("StorageNode", "host-2")).description == "Storage/StorageNode@host-2")
        #expect(ConfigScope.instance(TestStack.ref("StorageNode", "host-2")).service == "Storage")
    }

    // MARK: affected instances

    @Test func affectedByServiceLevel() {
        var after = Configuration()
        after.set(ConfigValue(scope: .service("Storage"), name: "replication", value: "2"))
        #expect(Configuration.affectedInstances(before: Configuration(), after: after, in: stack, topology: stack.layout) == [
            TestStack.ref("StorageMaster", "host-1"),
            TestStack.ref("StorageNode", "host-1"), TestStack.ref("StorageNode", "host-2"), TestStack.ref("StorageNode", "host-3"),
        ])
    }

    @Test func affectedByRoleAndInstanceLevels() {
        let before = Configuration([ConfigValue(scope: coordinatorRole, name: "port", value: "22000")])
        var after = before
        after.set(ConfigValue(scope: .instance(coordinator2), name: "port", value: "22002"))
        #expect(Configuration.affectedInstances(before: before, after: after, in: stack, topology: stack.layout) == [coordinator2])

        var roleChange = before
        roleChange.set(ConfigValue(scope: coordinatorRole, name: "port", value: "22010"))
        #expect(Configuration.affectedInstances(before: before, after: roleChange, in: stack, topology: stack.layout)
            == TestStack.hosts.map { TestStack.ref("CoordinatorServer", $0) })
    }

    @Test func settingTheEffectiveValueAffectsNothing() {
        var after = Configuration()
        after.set(ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "INFO"))
        after.set(ConfigValue(scope: .instance(coordinator1), name: "port", value: "21100"))
        #expect(Configuration.affectedInstances(before: Configuration(), after: after, in: stack, topology: stack.layout).isEmpty)
        // An instance value hidden by nothing but equal to the role value is no change either.
        let before = Configuration([ConfigValue(scope: coordinatorRole, name: "port", value: "22000")])
        var same = before
        same.set(ConfigValue(scope: .instance(coordinator1), name: "port", value: "22000"))
        #expect(Configuration.affectedInstances(before: before, after: same, in: stack, topology: stack.layout).isEmpty)
    }
}
