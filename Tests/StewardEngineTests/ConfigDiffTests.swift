import StewardAPI
import StewardEngine
import Testing

@Suite("Configuration versions: snapshots, diffs, restoring")
struct ConfigDiffTests {
    let stack = TestStack.stack
    let gateway3 = TestStack.ref("GatewayServer", "host-3")
    let coordinatorRole = ConfigScope.role(service: "Coordinator", role: "CoordinatorServer")

    func snapshot(_ values: [ConfigValue]) -> [ConfigValue] { ConfigDiff.snapshot(Configuration(values), in: stack) }

    @Test func aSnapshotWritesDefaultsOutAtServiceAndRoleLevelAndKeepsOnlySetInstanceValues() {
        let values = snapshot([ConfigValue(scope: .instance(gateway3), name: "port", value: "22003")])
        // 4 service parameters + 4 roles x 2 parameters + the one instance value.
        #expect(values.count == 4 + 8 + 1)
        #expect(values.contains(ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "INFO")))
        #expect(values.contains(ConfigValue(scope: coordinatorRole, name: "port", value: "21100")))
        #expect(values.contains(ConfigValue(scope: .instance(gateway3), name: "port", value: "22003")))
        #expect(!values.contains { if case .instance(let i) = $0.scope { i != gateway3 } else { false } })
        // Sorted by where each value sits: service level before its roles, roles before their instances.
        let keys = values.map { ConfigDiff.Key($0.scope, $0.name) }
        #expect(keys == keys.sorted())
    }

    @Test func aSnapshotDropsValuesTheStackNoLongerDefines() {
        let values = snapshot([ConfigValue(scope: .instance(gateway3), name: "retired", value: "1")])
        #expect(!values.contains { $0.name == "retired" })
    }

    @Test func theDiffOfEqualConfigurationsIsEmpty() {
        let a = snapshot([ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "10")])
        #expect(ConfigDiff.between(a, a).isEmpty)
    }

    @Test func theDiffListsChangedAddedAndRemovedValuesOldToNew() {
        let old = snapshot([ConfigValue(scope: .instance(gateway3), name: "startup_delay_ms", value: "5")])
        let new = snapshot([
            ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "512"),
            ConfigValue(scope: .instance(gateway3), name: "port", value: "22003"),
        ])
        let changes = ConfigDiff.between(old, new)
        #expect(changes == [
            ConfigChange(scope: .service("Gateway"), name: "max_connections", old: "256", new: "512", secret: false),
            ConfigChange(scope: .instance(gateway3), name: "port", old: nil, new: "22003", secret: false),
            ConfigChange(scope: .instance(gateway3), name: "startup_delay_ms", old: "5", new: nil, secret: false),
        ])
    }

    @Test func aSecretChangeIsMarkedSecretOnEitherSide() {
        let scope = ConfigScope.service("Vault")
        let changes = ConfigDiff.between([ConfigValue(scope: scope, name: "pw", value: "a", secret: true)],
                                         [ConfigValue(scope: scope, name: "pw", value: "b", secret: true)])
        #expect(changes.map(\.secret) == [true])
        #expect(ConfigDiff.between([ConfigValue(scope: scope, name: "pw", value: "a", secret: true)],
                                   [ConfigValue(scope: scope, name: "pw", value: "a", secret: true)]).isEmpty)
    }

    @Test func restoringSavesOnlyWhatDiffersFromTheTarget() {
        let target = snapshot([ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "100")])
        let current = snapshot([
            ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "300"),
            ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "DEBUG"),
        ])
        let values = ConfigDiff.restoring(target, current: current, in: stack)
        #expect(Set(values) == [
            ConfigValue(scope: .service("Gateway"), name: "max_connections", value: "100"),
            ConfigValue(scope: .service("Coordinator"), name: "log_level", value: "INFO"),
        ])
        #expect(ConfigDiff.restoring(current, current: current, in: stack).isEmpty, "nothing differs: nothing to save")
    }

    @Test func anInstanceValueSetSinceTheTargetGetsTheValueThatInstanceHadThen() {
        let target = snapshot([ConfigValue(scope: .role(service: "Gateway", role: "GatewayServer"), name: "port", value: "21400")])
        var config = Configuration(target)
        config.set(ConfigValue(scope: .instance(gateway3), name: "port", value: "22003"))
        let restored = ConfigDiff.restoring(target, current: ConfigDiff.snapshot(config, in: stack), in: stack)
        #expect(restored == [ConfigValue(scope: .instance(gateway3), name: "port", value: "21400")])
        // Saved, every instance's effective values are the target's again.
        for v in restored { config.set(v) }
        for ref in stack.instances {
            #expect(config.effective(for: ref, in: stack) == Configuration(target).effective(for: ref, in: stack))
        }
    }

    @Test func restoringSkipsWhatTheStackNoLongerHas() {
        let ghost = InstanceRef(service: "Gateway", role: "GatewayServer", host: "host-9")
        let target = snapshot([]) + [
            ConfigValue(scope: .service("Gateway"), name: "retired", value: "1"),
            ConfigValue(scope: .instance(ghost), name: "port", value: "1234"),
        ]
        #expect(ConfigDiff.restoring(target, current: snapshot([]), in: stack).isEmpty)
    }
}
