import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import StewardAPI

/// The agent's connection to the manager's `/agent/v1` endpoints.
struct ManagerLink: Sendable {
    struct Refused: Error, CustomStringConvertible {
        let status: Int
        let code: Int
        let message: String
        var description: String { "manager refused (\(status), \(code)): \(message)" }
        /// 4xx: retrying the same request will not help.
        var isFinal: Bool { (400..<500).contains(status) && status != 408 && status != 429 }
    }

    let baseURL: String
    let credential: HostCredential
    let http: HTTPClient

    func register(_ hello: AgentHello) async throws -> AgentWelcome {
        try await post("register", hello, as: AgentWelcome.self, timeout: .seconds(10))
    }

    func poll(host: String, received: [Int64], timeoutMs: Int) async throws -> AgentWork {
        try await post("poll", AgentPoll(host: host, received: received), as: AgentWork.self,
                       timeout: .milliseconds(Int64(timeoutMs) + 10_000))
    }

    func report(_ result: AgentTaskResult) async throws {
        _ = try await post("result", result, as: NoResult.self, timeout: .seconds(10))
    }

    func output(_ output: AgentTaskOutput) async throws {
        _ = try await post("output", output, as: NoResult.self, timeout: .seconds(5))
    }

    func heartbeat(_ beat: AgentHeartbeat) async throws {
        _ = try await post("heartbeat", beat, as: NoResult.self, timeout: .seconds(5))
    }

    private func post<Body: Encodable, Result: Codable & Sendable>(
        _ path: String, _ body: Body, as: Result.Type, timeout: TimeAmount
    ) async throws -> Result {
        var request = HTTPClientRequest(url: "\(baseURL)/agent/v1/\(path)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        // The host's own credential once it has one (named by the host header); the join token only before.
        if let secret = credential.current {
            request.headers.add(name: "Authorization", value: "Bearer \(secret)")
            request.headers.add(name: AgentHeaders.host, value: credential.host)
        } else {
            request.headers.add(name: "Authorization", value: "Bearer \(credential.joinToken)")
        }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 16 << 20)
        let envelope = try? JSONDecoder().decode(Envelope<Result>.self, from: buffer)
        guard response.status.code == 200, let envelope, envelope.errorCode == 0 else {
            throw Refused(status: Int(response.status.code), code: envelope?.errorCode ?? -1,
                          message: envelope?.errorDescription ?? "unexpected answer")
        }
        if let result = envelope.resObj { return result }
        return try JSONDecoder().decode(Result.self, from: Data("{}".utf8))
    }
}
