import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("an agent keeps its HTTP on one event-loop thread, whatever the number of cores")
    func agentThreadCount() async throws {
        try await withCluster { cluster, api in
            // A task and its health checks have used the agent's HTTP client by now, beside the poll and heartbeats.
            _ = try await api.run(.start, "Coordinator", onlySelf: true)
            let names = try await cluster.agentThreads("host-1")
            #expect(names.filter { $0.hasPrefix("NIO-") }.count == 1, "\(names)")
            // The main thread, the event loop, and the concurrency runtime's pool: at most
            // one worker per core and a few of libdispatch's own.
            #expect(names.count <= ProcessInfo.processInfo.activeProcessorCount + 4, "\(names)")
        }
    }
}
