import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import StewardManager
import StewardAPI
import StewardEngine
import Testing

/// Issue 12, part 4, over HTTP with the real manager and store: every save
/// makes a version; versions are listed, shown with their diff, and rolled back
/// to. The hosts have no agents and nothing runs, so a save ends at once.
@Suite("Configuration versions over HTTP")
struct ConfigVersionRouteTests {
    static let admin = basicAuth("admin", "Test-pass-1")
    static let secret = "Sealed-Secret-77"

    static let stack = #"""
        {"name": "vault", "version": "1", "cluster": {"id": 1, "name": "vault", "hosts": ["host-1", "host-2"]},
         "services": [{"name": "Vault",
           "configurations": [{"name": "requirepass", "type": "PASSWORD", "default": "default-secret-1"},
                              {"name": "max_clients", "type": "INT", "default": "10", "min": 1, "max": 1000}],
           "roles": [{"name": "VaultServer", "hosts": ["host-1", "host-2"],
             "process": {"start": ["/bin/sleep", "100000"], "check": {"type": "process"}},
             "configurations": [{"name": "port", "type": "PORT", "default": "21600"}],
             "instances": {"host-2": {"port": "21601"}}}]}]}
        """#

    static func withVersions(_ body: @Sendable (Manager, any TestClientProtocol) async throws -> Void) async throws {
        let file = NSTemporaryDirectory() + "steward-versions-\(UUID().uuidString).json"
        try stack.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await withTestRouter(configure: { $0.stack = file }, body)
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String,
                     body: String? = nil, auth: String = admin) async throws -> TestResponse {
        try await client.execute(uri: uri, method: method, headers: [.authorization: auth, .contentType: "application/json"],
                                 body: body.map { ByteBuffer(string: $0) })
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> Envelope<T> {
        try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body))
    }

    static func save(_ client: any TestClientProtocol, service: [(String, String)] = [], port: String? = nil) async throws -> Envelope<NoResult> {
        let items = service.map { #"{"name": "\#($0.0)", "value": "\#($0.1)"}"# }.joined(separator: ", ")
        let children = port.map { #", "children": [{"role_name": "VaultServer", "configurations": [{"name": "port", "value": "\#($0)"}]}]"# } ?? ""
        let body = #"{"configurations_summary": {"restart_affected_components": false, "components": [{"component_name": "Vault", "configurations": [\#(items)]\#(children)}]}}"#
        let response = try await call(client, .post, "/web/v1/config/cluster/1/save", body: body)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try decode(NoResult.self, response)
    }

    static func versions(_ client: any TestClientProtocol, query: String = "") async throws -> ConfigVersionList {
        let response = try await call(client, .get, "/web/v1/config/cluster/1/versions" + query)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(try decode(ConfigVersionList.self, response).resObj)
    }

    static func version(_ client: any TestClientProtocol, _ n: Int) async throws -> ConfigVersionDetail {
        let response = try await call(client, .get, "/web/v1/config/cluster/1/versions/\(n)")
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(try decode(ConfigVersionDetail.self, response).resObj)
    }

    @Test func versionOneIsTheClusterAtCreationDefaultsAndInstanceDefaults() async throws {
        try await Self.withVersions { _, client in
            let list = try await Self.versions(client)
            #expect(list.total == 1 && list.versions.map(\.version) == [1])
            let first = try await Self.version(client, 1)
            #expect(first.user == "system" && first.commandId == nil && first.changes.isEmpty, "nothing came before it")
            let values = Dictionary(uniqueKeysWithValues: first.values.map { ("\($0.roleName ?? "")@\($0.hostName ?? ""):\($0.name)", $0.value) })
            #expect(values == ["@:max_clients": "10", "@:requirepass": "******", "VaultServer@:port": "21600",
                               "VaultServer@host-2:port": "21601"])
        }
    }

    @Test func everySaveMakesAVersionWithWhoWhenItsCommandAndWhatChanged() async throws {
        try await Self.withVersions { _, client in
            let save = try await Self.save(client, service: [("max_clients", "20")])
            _ = try await Self.save(client, port: "21700")
            let list = try await Self.versions(client)
            #expect(list.total == 3 && list.versions.map(\.version) == [3, 2, 1], "newest first")
            let second = try #require(list.versions.last { $0.version == 2 })
            #expect(second.user == "admin" && second.commandId == save.id && second.createTime > 0)
            #expect(second.changes == [ConfigVersionChange(serviceName: "Vault", roleName: nil, hostName: nil, name: "max_clients",
                                                           oldValue: "10", newValue: "20", secret: false)])
            let third = try await Self.version(client, 3)
            #expect(third.changes.map { "\($0.name):\($0.oldValue ?? "-")->\($0.newValue ?? "-")" } == ["port:21600->21700"])
            #expect(third.values.contains { $0.name == "max_clients" && $0.value == "20" }, "a version holds the whole configuration")
            // Paged.
            let page = try await Self.versions(client, query: "?offset=1&limit=1")
            #expect(page.total == 3 && page.versions.map(\.version) == [2])
        }
    }

    @Test func aPasswordIsSealedInTheStoreAndMaskedInEveryAnswerAChangeShownWithoutItsValue() async throws {
        try await Self.withVersions { manager, client in
            _ = try await Self.save(client, service: [("requirepass", Self.secret)])
            let listed = try await Self.call(client, .get, "/web/v1/config/cluster/1/versions")
            let shown = try await Self.call(client, .get, "/web/v1/config/cluster/1/versions/2")
            for body in [String(buffer: listed.body), String(buffer: shown.body)] {
                #expect(!body.contains(Self.secret) && !body.contains("default-secret-1"))
            }
            let change = try #require(try await Self.version(client, 2).changes.first)
            #expect(change.secret && change.oldValue == "******" && change.newValue == "******")
            // Sealed at rest, opened for the rollback only.
            let stored = try #require(try await manager.store.configVersion(clusterId: 1, number: 2))
            #expect(stored.values.first { $0.name == "requirepass" }?.value == Self.secret)
            var file = Data()
            for suffix in ["", "-wal"] { file.append(FileManager.default.contents(atPath: manager.options.dataDirectory + "/steward.db" + suffix) ?? Data()) }
            #expect(file.range(of: Data(Self.secret.utf8)) == nil, "the clear value is in the database")
        }
    }

    @Test func aRollbackSavesOnlyWhatDiffersAsACommandOfItsOwnAndMakesAVersion() async throws {
        try await Self.withVersions { manager, client in
            _ = try await Self.save(client, service: [("max_clients", "20"), ("requirepass", Self.secret)])
            _ = try await Self.save(client, service: [("max_clients", "30")], port: "21700")
            // The plan first, as the web UI shows it: nothing changes.
            let plan = try await Self.call(client, .post, "/web/v1/config/cluster/1/versions/2/rollback?dry_run=true",
                                           body: #"{"restart_affected_components": true}"#)
            #expect(plan.status == .ok)
            #expect(try Self.decode(ProgressDocument.self, plan).resObj?.stepList.first?.description.hasPrefix("Roll back to version 2") == true)
            #expect(try await Self.versions(client).total == 3)

            let response = try await Self.call(client, .post, "/web/v1/config/cluster/1/versions/2/rollback",
                                               body: #"{"restart_affected_components": false}"#)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let envelope = try Self.decode(NoResult.self, response)
            #expect(envelope.state == .complete)
            let command = try #require(try await manager.store.command(id: envelope.id))
            #expect(command.kind == .saveConfiguration && command.user == "admin")
            #expect(command.steps[0].description.hasPrefix("Roll back to version 2: restore 2 value(s)"))

            let fourth = try await Self.version(client, 4)
            #expect(fourth.commandId == envelope.id && fourth.description.hasPrefix("Roll back to version 2"))
            #expect(Set(fourth.changes.map { "\($0.name):\($0.oldValue ?? "-")->\($0.newValue ?? "-")" })
                    == ["max_clients:30->20", "port:21700->21600"], "the password did not change, so it is not saved again")
            let now = await manager.cluster.configuration
            #expect(ConfigDiff.snapshot(now, in: manager.stack).map(\.value)
                    == (try await manager.store.configVersion(clusterId: 1, number: 2))?.values.map(\.value))

            // Again: nothing differs now, nothing is done.
            let again = try await Self.call(client, .post, "/web/v1/config/cluster/1/versions/2/rollback", body: "{}")
            #expect(again.status == .conflict)
            #expect(try Self.decode(NoResult.self, again).errorCode == ErrorCode.nothingToRollBack.rawValue)
            #expect(try await Self.versions(client).total == 4)

            // Audited as the save is: the rollback with its command, the refusal with its code; not the dry run.
            let audit = try await Self.call(client, .get, "/web/v1/audit?action=CONFIG_ROLLBACK")
            let entries = try #require(try Self.decode(AuditList.self, audit).resObj?.entries)
            #expect(entries.map(\.errorCode).sorted() == [0, ErrorCode.nothingToRollBack.rawValue])
            #expect(entries.first { $0.errorCode == 0 }?.commandId == envelope.id)
        }
    }

    @Test func anUnknownOrMalformedVersionIsRefusedAndAViewerMayReadButNotRollBack() async throws {
        try await Self.withVersions { _, client in
            for uri in ["/web/v1/config/cluster/1/versions/9", "/web/v1/config/cluster/1/versions/9/rollback"] {
                let response = try await Self.call(client, uri.hasSuffix("rollback") ? .post : .get, uri, body: "{}")
                #expect(response.status == .notFound)
                #expect(try Self.decode(NoResult.self, response).errorCode == ErrorCode.configVersionNotFound.rawValue)
            }
            for uri in ["/web/v1/config/cluster/1/versions/0", "/web/v1/config/cluster/1/versions/x",
                        "/web/v1/config/cluster/1/versions?limit=0"] {
                let response = try await Self.call(client, .get, uri)
                #expect(response.status == .badRequest)
                #expect(try Self.decode(NoResult.self, response).errorCode == ErrorCode.invalidParameter.rawValue)
            }
            let wrongCluster = try await Self.call(client, .get, "/web/v1/config/cluster/2/versions")
            #expect(wrongCluster.status == .notFound)
            let badBody = try await Self.call(client, .post, "/web/v1/config/cluster/1/versions/1/rollback",
                                              body: #"{"restart_affected_components": "yes"}"#)
            #expect(badBody.status == .badRequest)

            let created = try await Self.call(client, .post, "/web/v1/access/users",
                                              body: #"{"user_name": "vic", "role": "viewer", "password": "S3cure-pass-V1"}"#)
            #expect(created.status == .ok)
            let vic = basicAuth("vic", "S3cure-pass-V1")
            let change = "old_password=S3cure-pass-V1&new_password=S3cure-pass-V2&confirm_password=S3cure-pass-V2"
            _ = try await Self.call(client, .post, "/web/v1/access/modify_self_password?" + change, body: "{}", auth: vic)
            let viewer = basicAuth("vic", "S3cure-pass-V2")
            #expect(try await Self.call(client, .get, "/web/v1/config/cluster/1/versions", auth: viewer).status == .ok)
            let refused = try await Self.call(client, .post, "/web/v1/config/cluster/1/versions/1/rollback", body: "{}", auth: viewer)
            #expect(refused.status == .forbidden)
        }
    }
}
