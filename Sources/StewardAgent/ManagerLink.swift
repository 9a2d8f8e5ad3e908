import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import StewardAPI

/// The agent's connection to the managers' `/agent/v1` endpoints: each
/// request goes to the manager current in the list.
struct ManagerLink: Sendable {
    struct Refused: Error, CustomStringConvertible {
        let status: Int
        let code: Int
        let message: String
        var description: String { "manager refused (\(status), \(code)): \(message)" }
        /// 4xx: retrying the same request will not help.
        var isFinal: Bool { (400..<500).contains(status) && status != 408 && status != 429 }
    }

    /// A request that failed at the connection level (refused, reset, timed
    /// out, or a gateway's or unavailable manager's 502/503/504): another
    /// manager may answer. `generation` names the manager it went to.
    struct Unreachable: Error, CustomStringConvertible {
        let generation: UInt64
        let url: String
        let underlying: any Error
        var description: String { "\(url): \(underlying)" }
    }

    let managers: ManagerList
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
        let (baseURL, generation) = managers.current
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
        let response: HTTPClientResponse
        let buffer: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            buffer = try await response.body.collect(upTo: 16 << 20)
        } catch {
            throw Unreachable(generation: generation, url: baseURL, underlying: error)
        }
        let envelope = try? JSONDecoder().decode(Envelope<Result>.self, from: buffer)
        guard response.status.code == 200, let envelope, envelope.errorCode == 0 else {
            let refused = Refused(status: Int(response.status.code), code: envelope?.errorCode ?? -1,
                                  message: envelope?.errorDescription ?? "unexpected answer")
            // A manager that cannot reach its database, or a proxy whose manager is gone: try another.
            if [502, 503, 504].contains(refused.status) {
                throw Unreachable(generation: generation, url: baseURL, underlying: refused)
            }
            throw refused
        }
        if let result = envelope.resObj { return result }
        return try JSONDecoder().decode(Result.self, from: Data("{}".utf8))
    }
}
