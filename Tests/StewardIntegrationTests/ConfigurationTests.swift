import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    @Test("a new port saved for one instance and restarted is where the process really listens")
    func savedPortIsListenedOn() async throws {
        try await withCluster { cluster, api in
            #expect(try await api.run(.start, "Gateway", onlySelf: false).state == .complete)
            let old = try await cluster.port("GatewayServer@host-3")
            let new = try freePort()
            let save = try await api.saveConfiguration(instanceValue("Gateway", "GatewayServer", "host-3", "port", String(new), restart: true))
            #expect(save.status == 200)
            let result = try await api.wait(for: save.envelope.id)
            #expect(result.state == .complete)
            #expect(result.resObj?.commandKind == .saveConfiguration)
            #expect(result.stepNames == ["Save configuration", "Stop GatewayServer", "Start GatewayServer"])
            // Only the affected instance is restarted.
            #expect(result.resObj?.stepList[1].tasks.map(\.instance) == ["GatewayServer@host-3"])
            #expect(result.resObj?.failEntityList.isEmpty == true)

            #expect(await roleAnswer(port: new)?.status == 200)
            #expect(await roleAnswer(port: old) == nil)
            let config = try #require(await roleAnswer(port: new, path: "/config"))
            #expect(config.body.contains("\"port\":\"\(new)\""))
            let view = try #require(try await api.instances(service: "Gateway").first { $0.name == "GatewayServer@host-3" })
            #expect(view.configurations["port"] == String(new))
            #expect(view.configStale == false)
            // The other instance kept its port and its process.
            #expect(await roleAnswer(port: try await cluster.port("GatewayServer@host-2"))?.status == 200)
        }
    }

    @Test("service and role level values apply to every instance; without restart the running ones are marked stale")
    func levelsAndStaleness() async throws {
        try await withCluster { cluster, api in
            #expect(try await api.run(.start, "Coordinator", onlySelf: true).state == .complete)
            let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
                .init(componentName: "Coordinator", configurations: [.init(name: "log_level", value: "DEBUG")],
                      children: [.init(roleName: "CoordinatorServer", configurations: [.init(name: "startup_delay_ms", value: "5")])]),
            ])
            let save = try await api.saveConfiguration(request)
            #expect(save.status == 200)
            #expect(save.envelope.state == .complete, "nothing to restart: done at once")
            let result = try await api.progress(save.envelope.id).envelope
            #expect(result.stepNames == ["Save configuration"])
            #expect(result.totalProgress == 100)
            let views = try await api.instances(service: "Coordinator")
            #expect(views.count == 3)
            for view in views {
                #expect(view.configurations["log_level"] == "DEBUG")
                #expect(view.configurations["startup_delay_ms"] == "5")
                #expect(view.configStale, "\(view.name) runs with the old configuration")
            }
            let listed = try await api.get("/web/v1/cluster/1/services/Coordinator/configurations", as: ServiceConfigurationView.self)
            let logLevel = try #require(listed.envelope.resObj?.parameters.first { $0.name == "log_level" })
            #expect(logLevel.level == "SERVICE")
            #expect(logLevel.value == "DEBUG")
            #expect(logLevel.defaultValue == "INFO")
            // A restart applies it.
            #expect(try await api.run(.restart, "Coordinator", onlySelf: true).state == .complete)
            #expect(try await api.instances(service: "Coordinator").allSatisfy { !$0.configStale })
        }
    }

    @Test("an ENUM's allowed values and a number's bounds are data in the configuration view, and are what a save accepts")
    func parameterLimitsAreData() async throws {
        try await withCluster { _, api in
            let path = "/web/v1/cluster/1/services/Coordinator/configurations"
            let view = try #require(try await api.get(path, as: ServiceConfigurationView.self).envelope.resObj)
            let logLevel = try #require(view.parameters.first { $0.name == "log_level" })
            #expect(logLevel.type == "ENUM")
            #expect(logLevel.allowedValues == ["DEBUG", "INFO", "WARN", "ERROR"])
            #expect(logLevel.min == nil && logLevel.max == nil)
            let timeout = try #require(view.parameters.first { $0.name == "session_timeout_ms" })
            #expect(timeout.allowedValues == nil)
            #expect(timeout.min == 1000 && timeout.max == 600000)
            // A PORT's bounds are its kind's, where the stack narrows nothing.
            let port = try #require(view.parameters.first { $0.name == "port" && $0.level == "ROLE" })
            #expect(port.min == 1024 && port.max == 65535)
            // Only ENUMs carry the field at all.
            let raw = String(decoding: try await api.raw(.GET, path).body, as: UTF8.self)
            #expect(raw.components(separatedBy: "\"allowed_values\"").count - 1 == view.parameters.filter { $0.type == "ENUM" }.count, "\(raw)")

            // The data is what the manager's own validation accepts (dry runs: nothing is saved).
            func check(_ name: String, _ value: String) async throws -> Int {
                let request = SaveConfigurationRequest(restartAffectedComponents: false, components: [
                    .init(componentName: "Coordinator", configurations: [.init(name: name, value: value)]),
                ])
                return try await api.raw(.POST, "/web/v1/config/cluster/1/save?dry_run=true", body: try JSONEncoder().encode(request)).status
            }
            for value in logLevel.allowedValues ?? [] { #expect(try await check("log_level", value) == 200, "\(value)") }
            #expect(try await check("log_level", "TRACE") == 400)
            #expect(try await check("session_timeout_ms", "1000") == 200)
            #expect(try await check("session_timeout_ms", "600000") == 200)
            #expect(try await check("session_timeout_ms", "999") == 400)
            #expect(try await check("session_timeout_ms", "600001") == 400)
        }
    }
}
