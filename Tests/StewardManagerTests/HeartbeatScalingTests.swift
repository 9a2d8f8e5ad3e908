@testable import StewardManager
import StewardAPI
import Testing

/// A manager announces the heartbeat interval and timeout for its cluster's
/// size, and loses hosts by the timeout it announced.
@Suite("Heartbeat scaling")
struct HeartbeatScalingTests {
    @Test func aSmallClusterKeepsTheConfiguredFigures() async throws {
        try await AgentTrustTests.withAgents { manager, client, token in
            let welcome = try #require(try await FakeAgent(client: client, host: nil, secret: token).register(as: "host-1").envelope.resObj)
            #expect(welcome.heartbeatIntervalMs == 1000)
            #expect(welcome.heartbeatTimeoutMs == 5000)
            #expect(await manager.hub.heartbeatTimeoutMs == 5000)
        }
    }

    @Test func pastTheCapTheIntervalAndTimeoutGrowTogether() async throws {
        // Three hosts at one heartbeat a second: every host beats every 3 s.
        try await AgentTrustTests.withAgents(configure: { $0.maxHeartbeatsPerSecond = 1 }) { manager, client, token in
            let welcome = try #require(try await FakeAgent(client: client, host: nil, secret: token).register(as: "host-1").envelope.resObj)
            #expect(welcome.heartbeatIntervalMs == 3000)
            #expect(welcome.heartbeatTimeoutMs == 15_000)
            #expect(welcome.metricsIntervalMs >= welcome.heartbeatIntervalMs, "metrics ride on heartbeats")
            #expect(await manager.hub.heartbeatTimeoutMs == 15_000, "the hub loses hosts by the announced timeout")
        }
    }
}
