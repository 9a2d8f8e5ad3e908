import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("config versions from the CLI: a save is listed old -> new; a rollback with --restart puts the process back on its old port")
    func configVersionsAndRollback() async throws {
        try await withCluster { cluster, api in
            let url = api.baseURL
            #expect(try await api.run(.start, "Gateway", onlySelf: false).state == .complete)
            let old = try await cluster.port("GatewayServer@host-3")
            let new = try freePort()
            let (set, setOut) = try await steward(["config", "set", "Gateway", "port=\(new)", "--role", "GatewayServer",
                                                   "--host", "host-3", "--restart", "--wait"], manager: url)
            #expect(set == 0, "\(setOut)")
            #expect(await roleAnswer(port: new)?.status == 200)

            let (listed, list) = try await steward(["config", "versions"], manager: url)
            #expect(listed == 0, "\(list)")
            #expect(list.contains("Gateway/GatewayServer@host-3 port: \(old) -> \(new)"), "\(list)")
            #expect(list.contains("2 of 2 version(s)") && list.contains("The cluster's values at creation"), "\(list)")
            let (shown, version) = try await steward(["config", "version", "2"], manager: url)
            #expect(shown == 0 && version.contains("admin") && version.contains("port: \(old) -> \(new)"), "\(version)")

            let (rolled, rollOut) = try await steward(["config", "rollback", "1", "--restart", "--wait"], manager: url)
            #expect(rolled == 0, "\(rollOut)")
            #expect(rollOut.contains("Stop GatewayServer: SUCCEEDED") && rollOut.contains("Start GatewayServer: SUCCEEDED"), "\(rollOut)")
            // The real process listens where version 1 says, and only that instance was restarted.
            #expect(await roleAnswer(port: old)?.status == 200)
            #expect(await roleAnswer(port: new) == nil)
            let three = try await api.configVersion(3, cluster: 1)
            #expect(three.description.hasPrefix("Roll back to version 1"))
            #expect(three.changes.map { "\($0.hostName ?? ""):\($0.oldValue ?? "")->\($0.newValue ?? "")" } == ["host-3:\(new)->\(old)"])
            let view = try #require(try await api.instances(service: "Gateway").first { $0.name == "GatewayServer@host-3" })
            #expect(view.configStale == false)

            let (again, againOut) = try await steward(["config", "rollback", "1"], manager: url)
            #expect(again == 1 && againOut.contains("error \(ErrorCode.nothingToRollBack.rawValue) (HTTP 409)"), "\(againOut)")
            let (missing, missingOut) = try await steward(["config", "version", "99"], manager: url)
            #expect(missing == 1 && missingOut.contains("error \(ErrorCode.configVersionNotFound.rawValue) (HTTP 404)"), "\(missingOut)")
        }
    }
}
