import Foundation
import StewardAPI
import StewardClient
import StewardTestSupport
import Testing

/// The real manager on a real PostgreSQL: the demo stack runs on it; when the
/// server dies the manager answers 503 (not a hang, not a crash) and carries on
/// by itself once the server is back, with nothing acknowledged lost.
extension IntegrationTests {
    @Suite(.enabled(if: TestPostgres.available, "PostgreSQL is not installed and CI is unset"))
    struct PostgresTests {
        @Test func theDemoStackRunsOnPostgreSQLAndOutlivesTheServersDeath() async throws {
            let server = try await TestPostgres.start()
            defer { server.stop() }
            let database = try await server.freshDatabase()
            try await withCluster(managerArgs: ["--database", database]) { cluster, api in
                let started = try await api.run(.start, "Gateway", onlySelf: false)
                #expect(started.state == .complete)
                let acknowledged = try await api.commands()
                #expect(acknowledged.commands.contains { $0.id == started.id })

                try await server.kill9()
                let url = "http://127.0.0.1:\(await cluster.managerPort)/web/v1/common/commands"
                let auth = "Basic " + Data("admin:\(TestCluster.password)".utf8).base64EncodedString()
                let down = try await RawHTTP.send(.GET, url, headers: [("Authorization", auth)])
                #expect(down.status == 503, "\(down.body)")
                let envelope = try JSONDecoder().decode(Envelope<NoResult>.self, from: Data(down.body.utf8))
                #expect(envelope.state == .failed && envelope.errorCode == ErrorCode.storeUnavailable.rawValue)
                // A command is refused the same way, and nothing is half-stored.
                do {
                    _ = try await api.submit(.stop, service: "Gateway", onlySelf: true, cluster: 1)
                    Issue.record("a command was accepted with the store gone")
                } catch let refusal as Refusal {
                    #expect(refusal.status == 503 && refusal.code == ErrorCode.storeUnavailable.rawValue)
                }

                try await server.restart()
                let after = try await waitFor("the manager back on its store") { try? await api.commands() }
                #expect(after.total == acknowledged.total)
                #expect(after.commands.map(\.id) == acknowledged.commands.map(\.id))
                #expect(try await api.run(.stop, "Gateway", onlySelf: true).state == .complete)
                #expect(try await api.command(started.id).state == .complete)
            }
        }

        @Test func aManagerRefusesToStartOnAnUnreachableDatabase() async throws {
            // Nothing listens there: the manager says so, the password hidden, and exits instead of waiting.
            let dir = NSTemporaryDirectory() + "steward-pg-unreachable-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestCluster.binary)
            process.arguments = ["manager", "--data-dir", dir, "--port", "0",
                                 "--database", "postgres://steward:secret-pw@127.0.0.1:\(try freePort())/steward?sslmode=disable"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0)
            #expect(log.contains("Cannot reach PostgreSQL"), "\(log)")
            #expect(!log.contains("secret-pw"), "\(log)")
        }
    }
}
