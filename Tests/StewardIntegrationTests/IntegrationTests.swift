import Foundation
import StewardClient
import StewardAPI
import Testing

/// End-to-end tests: a real manager and three real agents per test, driven
/// over HTTP. Serialized: each test runs a dozen processes on a 2-core machine.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct IntegrationTests {}

/// Runs `body` against a fresh cluster and always stops it.
func withCluster(stack: String = "demo", managerArgs: [String] = [],
                 _ body: (TestCluster, StewardClient) async throws -> Void) async throws {
    let cluster = try await TestCluster.start(stack: stack, managerArgs: managerArgs)
    do {
        try await body(cluster, await cluster.client)
    } catch {
        await cluster.stop()
        throw error
    }
    await cluster.stop()
}

/// Runs `body` against a fresh cluster of a stack given as its JSON text.
func withCluster(stackJSON: String, _ body: (TestCluster, StewardClient) async throws -> Void) async throws {
    let stackFile = NSTemporaryDirectory() + "steward-stack-\(getpid())-\(UUID().uuidString).json"
    try stackJSON.write(toFile: stackFile, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: stackFile) }
    try await withCluster(stack: stackFile, body)
}

/// A configuration save of one value at instance level.
func instanceValue(_ service: String, _ role: String, _ host: String, _ name: String, _ value: String,
                   restart: Bool) -> SaveConfigurationRequest {
    SaveConfigurationRequest(restartAffectedComponents: restart, components: [
        .init(componentName: service, children: [
            .init(roleName: role, children: [.init(hostName: host, configurations: [.init(name: name, value: value)])]),
        ]),
    ])
}

extension StewardClient {
    /// Posts a command, expects it accepted, waits for its end.
    func run(_ action: ServiceAction, _ service: String, onlySelf: Bool) async throws -> Envelope<ProgressDocument> {
        let reply = try await self.service(action, service, onlySelf: onlySelf)
        #expect(reply.status == 200, "\(action) \(service): \(reply.envelope.errorDescription)")
        #expect(reply.envelope.id > 0)
        return try await wait(for: reply.envelope.id)
    }
}
