#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOHTTP1
import StewardAPI
import StewardClient
import Testing

/// `Idempotency-Key` over HTTP against the real manager: a request sent
/// again gets the command the first one made, also after a restart of the
/// manager, also when the copies arrive at once; another request with the key
/// is refused (422, 10022) and makes nothing.
extension IntegrationTests {
    static let startPath = "/web/v1/maintain/cluster/1/service/Coordinator/start"

    /// A POST with a key; the status and the envelope, whatever they are.
    static func send(_ api: StewardClient, _ path: String, _ body: String, key: String?,
                     method: HTTPMethod = .POST) async throws -> (status: Int, envelope: Envelope<NoResult>) {
        let reply = try await api.raw(method, path, body: Data(body.utf8), headers: key.map { [("Idempotency-Key", $0)] } ?? [])
        return (reply.status, try JSONDecoder().decode(Envelope<NoResult>.self, from: reply.body))
    }

    static func total(_ api: StewardClient, _ kind: CommandKind? = nil) async throws -> Int {
        var filter = CommandFilter()
        filter.kind = kind
        return try await api.commands(filter).total
    }

    @Test("Idempotency-Key: the same request again is the same command (running, ended, after a restart); another is 422")
    func idempotencyKeys() async throws {
        try await withCluster { cluster, api in
            // A start that stays running: the replay must not be refused as busy by its own command.
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms",
                                                              "60000", restart: false))
            let before = try await Self.total(api)
            let first = try await Self.send(api, Self.startPath, #"{"only_self": true}"#, key: "start-1")
            #expect(first.status == 200)
            #expect(first.envelope.id > 0)
            #expect(first.envelope.state == .inProgress)
            // Spacing and key order are not part of the request; the answer has the first one's shape.
            let again = try await Self.send(api, Self.startPath, #"{ "only_self" : true }"#, key: "start-1")
            #expect(again.status == 200)
            #expect(again.envelope.id == first.envelope.id)
            #expect(again.envelope.state == .inProgress)
            // The draft's quoted form is the same key.
            #expect(try await Self.send(api, Self.startPath, #"{"only_self":true}"#, key: "\"start-1\"").envelope.id == first.envelope.id)

            // The key with another body, or on another route: 422, nothing made.
            for (path, body) in [(Self.startPath, #"{"only_self": false}"#),
                                 ("/web/v1/maintain/cluster/1/service/Coordinator/stop", #"{"only_self": true}"#)] {
                let other = try await Self.send(api, path, body, key: "start-1")
                #expect(other.status == 422)
                #expect(other.envelope.id == -1)
                #expect(other.envelope.state == .failed)
                #expect(other.envelope.errorCode == ErrorCode.idempotencyKeyReused.rawValue)
            }
            // A malformed key is bad input: 400, nothing made, and not stored.
            for bad in [String(repeating: "k", count: 256), "tab\there"] {
                let refused = try await Self.send(api, Self.startPath, #"{"only_self": true}"#, key: bad)
                #expect(refused.status == 400)
                #expect(refused.envelope.errorCode == ErrorCode.invalidParameter.rawValue)
            }
            // A dry run makes nothing and stores no key: the key is free for a request afterwards.
            let dry = try await api.raw(.POST, "/web/v1/maintain/cluster/1/service/Gateway/start?dry_run=true",
                                        body: Data("{}".utf8), headers: [("Idempotency-Key", "dry-1")])
            #expect(dry.status == 200)
            #expect(try await Self.total(api) == before + 1, "one command so far")

            #expect(try await api.abort(first.envelope.id).state == .failed)
            let ended = try await Self.send(api, Self.startPath, #"{"only_self": true}"#, key: "start-1")
            #expect(ended.status == 200)
            #expect(ended.envelope.id == first.envelope.id, "an ended command is answered too, as it is now")
            #expect(ended.envelope.state == .failed)
            _ = try await api.saveConfiguration(instanceValue("Coordinator", "CoordinatorServer", "host-1", "startup_delay_ms",
                                                              "0", restart: false))

            // Another user with the same key: another key, another command.
            let created = try await api.post("/web/v1/access/users",
                                             CreateUserRequest(userName: "olga", role: "operator", password: "S3cure-pass-op"),
                                             as: CreatedUser.self)
            #expect(created.status == 200)
            let initial = StewardClient(baseURL: api.baseURL, user: "olga", password: "S3cure-pass-op")
            let q = "old_password=S3cure-pass-op&new_password=Chosen-pass-op&confirm_password=Chosen-pass-op"
            #expect(try await initial.raw(.POST, "/web/v1/access/modify_self_password?" + q, body: Data("{}".utf8)).status == 200)
            let olga = StewardClient(baseURL: api.baseURL, user: "olga", password: "Chosen-pass-op")
            let hers = try await Self.send(olga, Self.startPath, #"{"only_self": true}"#, key: "start-1")
            #expect(hers.status == 200)
            #expect(hers.envelope.id != first.envelope.id)
            #expect(try await api.wait(for: hers.envelope.id).state == .complete)

            // Eight copies at once of a save with a new key: one command, every copy answered with it.
            let saves = try await Self.total(api, .saveConfiguration)
            let save = String(decoding: try JSONEncoder().encode(
                instanceValue("Gateway", "GatewayServer", "host-2", "startup_delay_ms", "5", restart: false)), as: UTF8.self)
            let ids = try await withThrowingTaskGroup(of: (Int, Int64).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let reply = try await Self.send(api, "/web/v1/config/cluster/1/save", save, key: "save-1")
                        return (reply.status, reply.envelope.id)
                    }
                }
                return try await group.reduce(into: [(Int, Int64)]()) { $0.append($1) }
            }
            #expect(ids.allSatisfy { $0.0 == 200 }, "\(ids)")
            #expect(Set(ids.map(\.1)).count == 1, "\(ids)")
            #expect(try await Self.total(api, .saveConfiguration) == saves + 1)
            let saveId = try #require(ids.first?.1)
            #expect(try await api.wait(for: saveId).state == .complete)

            // The CLI: a run again with the same --idempotency-key names the same command.
            for args in [["service", "stop", "Gateway", "--only-self"], ["config", "set", "Gateway", "startup_delay_ms=6", "--role", "GatewayServer", "--host", "host-2"]] {
                var outputs: [String] = []
                for _ in 0..<2 {
                    let (status, out) = try await steward(args + ["--idempotency-key", "cli-\(args[0])"], manager: api.baseURL)
                    #expect(status == 0, "\(out)")
                    outputs.append(String(out.split(separator: ":").first ?? ""))
                }
                #expect(outputs[0].hasPrefix("command "), "\(outputs)")
                #expect(outputs[0] == outputs[1], "\(args): \(outputs)")
            }

            // A restart of the manager on the same data directory: the keys are in the store.
            await cluster.signalManager(SIGTERM)
            try await cluster.startManager(port: 0)
            let restarted = await cluster.client
            let count = try await Self.total(restarted)
            #expect(try await Self.send(restarted, "/web/v1/config/cluster/1/save", save, key: "save-1").envelope.id == saveId)
            #expect(try await Self.send(restarted, Self.startPath, #"{"only_self":true}"#, key: "start-1").envelope.id == first.envelope.id)
            let reused = try await Self.send(restarted, Self.startPath, #"{"only_self":true}"#, key: "save-1")
            #expect(reused.status == 422)
            #expect(reused.envelope.errorCode == ErrorCode.idempotencyKeyReused.rawValue)
            #expect(try await Self.total(restarted) == count, "nothing made after the restart")
        }
    }
}
