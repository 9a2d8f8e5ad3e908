import Foundation
import StewardClient
import StewardAPI
import Testing

extension IntegrationTests {
    struct BadRequest: Sendable, CustomStringConvertible {
        let method: String
        let path: String
        let body: String?
        let status: Int
        let code: ErrorCode
        var description: String { "\(method) \(path) \(body?.prefix(60) ?? "")" }
    }

    static let badRequests: [BadRequest] = {
        let start = "/web/v1/maintain/cluster/1/service/Gateway/start"
        let save = "/web/v1/config/cluster/1/save"
        func saveBody(_ component: String, role: String = "GatewayServer", host: String = "host-2",
                      name: String = "port", value: String = "\"22000\"") -> String {
            #"{"configurations_summary":{"restart_affected_components":true,"components":[{"component_name":"\#(component)","children":[{"role_name":"\#(role)","children":[{"node":{"host_name":"\#(host)"},"configurations":[{"name":"\#(name)","value":\#(value)}]}]}]}]}}"#
        }
        return [
            BadRequest(method: "GET", path: "/web/v1/common/command/abc/progress", body: nil, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/common/command/-1/progress", body: nil, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/common/command/0/progress", body: nil, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/common/command/99999999999999999999/progress", body: nil, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/common/command/1.5/progress", body: nil, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/common/command/999999/progress", body: nil, status: 404, code: .commandNotFound),
            BadRequest(method: "POST", path: start, body: "{\"only_self\": ", status: 400, code: .malformedJSON),
            BadRequest(method: "POST", path: start, body: "[1,2]", status: 400, code: .malformedJSON),
            BadRequest(method: "POST", path: start, body: "{\"only_self\": \"yes\"}", status: 400, code: .malformedJSON),
            BadRequest(method: "POST", path: start, body: "{\"only_self\": true, \"pad\": \"" + String(repeating: "x", count: 2 << 20) + "\"}",
                       status: 413, code: .bodyTooLarge),
            BadRequest(method: "POST", path: "/web/v1/maintain/cluster/2/service/Gateway/start", body: "{}", status: 404, code: .clusterNotFound),
            BadRequest(method: "POST", path: "/web/v1/maintain/cluster/x/service/Gateway/start", body: "{}", status: 400, code: .invalidParameter),
            BadRequest(method: "POST", path: "/web/v1/maintain/cluster/99999999999999999999/service/Gateway/start", body: "{}", status: 400, code: .invalidParameter),
            BadRequest(method: "POST", path: "/web/v1/maintain/cluster/1/service/Nope/start", body: "{}", status: 404, code: .serviceNotFound),
            BadRequest(method: "GET", path: "/web/v1/cluster/1/services/Nope", body: nil, status: 404, code: .serviceNotFound),
            BadRequest(method: "GET", path: "/web/v1/cluster/7/status", body: nil, status: 404, code: .clusterNotFound),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", host: "host-9"), status: 404, code: .hostNotFound),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", host: "host-1"), status: 404, code: .instanceNotFound),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", value: "\"70000\""), status: 400, code: .invalidConfigurationValue),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", value: "\"80\""), status: 400, code: .invalidConfigurationValue),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", value: "\"abc\""), status: 400, code: .invalidConfigurationValue),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", value: "[1]"), status: 400, code: .malformedJSON),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", name: "no_such"), status: 400, code: .unknownConfiguration),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", name: "max_connections"), status: 400, code: .configurationLevelMismatch),
            BadRequest(method: "POST", path: save, body: saveBody("Gateway", role: "Nope"), status: 404, code: .roleNotFound),
            BadRequest(method: "POST", path: save, body: saveBody("Nope"), status: 404, code: .serviceNotFound),
            BadRequest(method: "POST", path: save, body: "{}", status: 400, code: .malformedJSON),
            BadRequest(method: "POST", path: save, body: #"{"configurations_summary":{"components":[]}}"#, status: 400, code: .invalidParameter),
            BadRequest(method: "GET", path: "/web/v1/no/such/endpoint", body: nil, status: 404, code: .routeNotFound),
            BadRequest(method: "PATCH", path: "/web/v1/clusters", body: "{}", status: 405, code: .methodNotAllowed),
            BadRequest(method: "DELETE", path: "/web/v1/common/command/1/progress", body: nil, status: 405, code: .methodNotAllowed),
        ]
    }()

    @Test("bad input gets a 4xx FAILED envelope with its code, and changes nothing")
    func badInput() async throws {
        try await withCluster { cluster, api in
            let configBefore = try await api.instances()
            for bad in Self.badRequests {
                let reply = try await api.raw(.init(rawValue: bad.method), bad.path, body: bad.body.map { Data($0.utf8) })
                let envelope = try JSONDecoder().decode(Envelope<NoResult>.self, from: reply.body)
                #expect(reply.status == bad.status, "\(bad): \(String(decoding: reply.body.prefix(300), as: UTF8.self))")
                #expect(envelope.state == .failed, "\(bad)")
                #expect(envelope.errorCode == bad.code.rawValue, "\(bad): \(envelope.errorDescription)")
                #expect(envelope.id == -1)
                #expect(!envelope.errorDescription.isEmpty)
            }
            // Nothing changed: same configuration, and the first real command is command 1.
            let configAfter = try await api.instances()
            #expect(configAfter.map(\.configurations) == configBefore.map(\.configurations))
            let first = try await api.service(.start, "Coordinator", onlySelf: true)
            #expect(first.envelope.id == 1)
            // The manager still serves.
            #expect(try await api.wait(for: 1).state == .complete)
        }
    }

    @Test("every /web/v1 endpoint needs valid credentials")
    func authentication() async throws {
        try await withCluster { cluster, api in
            let base = api.baseURL
            let anonymous = StewardClient(baseURL: base, user: nil, password: nil)
            let wrong = StewardClient(baseURL: base, user: "admin", password: "wrong")
            let nobody = StewardClient(baseURL: base, user: "nobody", password: TestCluster.password)
            let paths = [("GET", "/web/v1/clusters"), ("GET", "/web/v1/cluster/1/status"),
                         ("GET", "/web/v1/cluster/1/services/Gateway"), ("GET", "/web/v1/common/command/1/progress"),
                         ("POST", "/web/v1/maintain/cluster/1/service/Gateway/start"),
                         ("POST", "/web/v1/config/cluster/1/save"), ("GET", "/web/v1/ping")]
            for client in [anonymous, wrong, nobody] {
                for (method, path) in paths {
                    let reply = try await client.raw(.init(rawValue: method), path, body: method == "POST" ? Data("{}".utf8) : nil)
                    #expect(reply.status == 401, "\(method) \(path)")
                    let envelope = try JSONDecoder().decode(Envelope<NoResult>.self, from: reply.body)
                    #expect(envelope.errorCode == ErrorCode.unauthenticated.rawValue)
                    #expect(reply.headers.contains { $0.0.lowercased() == "www-authenticate" })
                }
            }
            // Agents' endpoints need the agent token, not a user's password.
            let agentPath = try await api.raw(.POST, "/agent/v1/heartbeat", body: Data(#"{"host":"host-1","instances":[]}"#.utf8))
            #expect(agentPath.status == 401)
            #expect(try await api.service(.start, "Coordinator", onlySelf: true).status == 200)
            // The only open endpoint is the fixed liveness answer.
            #expect(try await anonymous.raw(.GET, "/healthz").status == 200)
        }
    }
}
