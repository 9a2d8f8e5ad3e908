import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import StewardAPI

/// An agent (or an attacker posing as one) speaking `/agent/v1` through the
/// real router: what it presents, it says; nothing is checked on its side.
struct FakeAgent {
    let client: any TestClientProtocol
    /// The host it calls itself in its X-Steward-Host header, if any.
    var host: String?
    /// The bearer secret it presents: the join token or a host credential.
    var secret: String

    static let admin = "Basic " + Data("admin:Test-pass-1".utf8).base64EncodedString()

    struct Answer<T: Codable & Sendable> {
        let status: HTTPResponse.Status
        let envelope: Envelope<T>
        var code: Int { envelope.errorCode }
    }

    func post<Body: Encodable, T: Codable & Sendable>(_ path: String, _ body: Body, as: T.Type = NoResult.self) async throws -> Answer<T> {
        var headers: HTTPFields = [.authorization: "Bearer \(secret)", .contentType: "application/json"]
        if let host { headers[HTTPField.Name(AgentHeaders.host)!] = host }
        let response = try await client.execute(uri: "/agent/v1/" + path, method: .post, headers: headers,
                                                body: ByteBuffer(data: try JSONEncoder().encode(body)))
        return Answer(status: response.status, envelope: try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body)))
    }

    func register(as name: String) async throws -> Answer<AgentWelcome> {
        try await post("register", AgentHello(host: name, agentVersion: "test", instances: [], incarnation: "fake-\(name)"),
                       as: AgentWelcome.self)
    }

    func poll(as name: String, received: [Int64] = []) async throws -> Answer<AgentWork> {
        try await post("poll", AgentPoll(host: name, received: received), as: AgentWork.self)
    }

    func heartbeat(as name: String) async throws -> Answer<NoResult> {
        try await post("heartbeat", AgentHeartbeat(host: name, instances: []))
    }

    func result(as name: String, task: AgentTask, succeeded: Bool = true) async throws -> Answer<NoResult> {
        let report = InstanceReport(service: task.instance.service, role: task.instance.role, status: .started, health: .good,
                                    pid: 4242, configDigest: task.configDigest, observedAt: 1)
        return try await post("result", AgentTaskResult(host: name, taskId: task.taskId, succeeded: succeeded, detail: "",
                                                         exitCode: nil, outputTail: "", instance: report))
    }

    func output(as name: String, task: Int64) async throws -> Answer<NoResult> {
        try await post("output", AgentTaskOutput(host: name, taskId: task, outputTail: "forged"))
    }

    /// Joins with the join token and comes back as the host, with its new credential.
    static func join(_ name: String, client: any TestClientProtocol, token: String) async throws -> FakeAgent {
        let welcome = try await FakeAgent(client: client, host: nil, secret: token).register(as: name)
        guard let credential = welcome.envelope.resObj?.credential else {
            throw Refused(description: "\(name) was issued no credential: \(welcome.status) \(welcome.envelope.errorDescription)")
        }
        return FakeAgent(client: client, host: name, secret: credential)
    }

    struct Refused: Error, CustomStringConvertible { let description: String }
}

/// An admin's call of `/web/v1` through the same router.
func adminCall<T: Codable & Sendable>(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ path: String,
                                      body: String? = nil, as: T.Type = NoResult.self) async throws -> (HTTPResponse.Status, Envelope<T>) {
    var headers: HTTPFields = [.authorization: FakeAgent.admin]
    if body != nil { headers[.contentType] = "application/json" }
    let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    return (response.status, try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: response.body)))
}
