import Logging
@testable import StewardManager
import StewardAPI
import StewardEngine
import StewardStore
import Testing

/// The center's side of `Idempotency-Key`: looked up before the request is
/// planned, so a replay is answered even while its command holds the service,
/// and by another center on the same store (another manager) too.
@Suite("Idempotency in the command center")
struct IdempotencyCenterTests {
    static func key(_ text: String, _ fingerprint: String, user: String = "op") -> IdempotencyKey {
        IdempotencyKey(user: user, key: text, fingerprint: fingerprint)
    }

    @Test func aReplayIsTheSameCommandEvenWhileItHoldsItsService() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        let first = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "op", key: Self.key("k", "f"))
        let again = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "op", key: Self.key("k", "f"))
        #expect(again.id == first.id)
        #expect(again.state == .inProgress)
        // Without a key, the same request is refused: the service is held.
        await #expect(throws: StewardError.self) {
            _ = try await h.center.submit(.startService, service: "Gateway", onlySelf: true, user: "op")
        }
        let other = await #expect(throws: StewardError.self) {
            _ = try await h.center.submit(.stopService, service: "Storage", onlySelf: true, user: "op", key: Self.key("k", "g"))
        }
        #expect(other?.code == .idempotencyKeyReused)
        #expect(try await h.store.commands(CommandFilter()).total == 1)
    }

    @Test func anotherCenterOnTheSameStoreAnswersTheKeysCommand() async throws {
        let h = try await CenterHarness.make()
        defer { Task { await h.close() } }
        var logger = Logger(label: "second-center")
        logger.logLevel = .critical
        // A second manager: its own state, the same database.
        let second = CommandCenter(store: h.store, cluster: h.cluster, agents: FakeAgents(), progress: ProgressCache(),
                                   telemetry: Telemetry(), settings: .init(heartbeatTimeoutMs: 5000, taskGraceMs: 5000),
                                   stack: h.stack, clock: h.clock, logger: logger)
        let value = ConfigValue(scope: .service("Gateway"), name: "startup_delay_ms", value: "5")
        let first = try await h.center.submitConfiguration([value], restart: false, user: "op", key: Self.key("save", "f"))
        let there = try await second.submitConfiguration([value], restart: false, user: "op", key: Self.key("save", "f"))
        #expect(there.id == first.id)
        let refused = await #expect(throws: StewardError.self) {
            _ = try await second.submitConfiguration([value], restart: true, user: "op", key: Self.key("save", "g"))
        }
        #expect(refused?.code == .idempotencyKeyReused)
        // Another user's key of the same text is another key.
        let theirs = try await second.submitConfiguration([value], restart: false, user: "ann", key: Self.key("save", "f", user: "ann"))
        #expect(theirs.id != first.id)
        #expect(try await h.store.commands(CommandFilter()).total == 2)
        #expect(try await h.store.configVersions(clusterId: h.stack.cluster.id, offset: 0, limit: 10).total == 2,
                "one version per save made, none for the replay or the refusal")
    }
}
