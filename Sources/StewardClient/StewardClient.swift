import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import StewardAPI

/// A typed client of the manager's `/web/v1` API, with HTTP Basic credentials.
/// Used by the tests and the CLI; every call returns the HTTP status with the
/// decoded envelope, so that callers can check refusals as well as successes.
public struct StewardClient: Sendable {
    public struct Reply<Result: Codable & Sendable>: Sendable {
        public let status: Int
        public let envelope: Envelope<Result>
        public let headers: [(String, String)]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct UnexpectedBody: Error, CustomStringConvertible {
        public let status: Int
        public let body: String
        public var description: String { "HTTP \(status) with a body that is not an envelope: \(body.prefix(300))" }
    }

    public let baseURL: String
    let authorization: String?
    let http: HTTPClient

    public init(baseURL: String, user: String?, password: String?, http: HTTPClient = .shared) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        if let user, let password {
            self.authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            self.authorization = nil
        }
        self.http = http
    }

    /// Any request; the body is sent as given.
    public func raw(_ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
                    timeout: Duration = .seconds(60)) async throws -> (status: Int, body: Data, headers: [(String, String)]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json;charset=UTF-8")
            }
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response = try await http.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(buffer: buffer), response.headers.map { ($0.name, $0.value) })
    }

    /// With an `idempotencyKey`, a request whose connection failed (refused,
    /// dropped, timed out) is sent again with the same key, up to
    /// `idempotentAttempts` times: the manager makes its command at most once.
    public func call<Result: Codable & Sendable>(_ method: HTTPMethod, _ path: String, body: Data? = nil,
                                                 idempotencyKey: String? = nil,
                                                 as: Result.Type = NoResult.self) async throws -> Reply<Result> {
        let (status, data, headers) = try await send(method, path, body: body, idempotencyKey: idempotencyKey)
        do {
            return Reply(status: status, envelope: try JSONDecoder().decode(Envelope<Result>.self, from: data), headers: headers)
        } catch {
            throw UnexpectedBody(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    public func get<Result: Codable & Sendable>(_ path: String, as: Result.Type) async throws -> Reply<Result> {
        try await call(.GET, path, as: Result.self)
    }

    public func post<Body: Encodable, Result: Codable & Sendable>(_ path: String, _ body: Body, idempotencyKey: String? = nil,
                                                                  as: Result.Type = NoResult.self) async throws -> Reply<Result> {
        try await call(.POST, path, body: try JSONEncoder().encode(body), idempotencyKey: idempotencyKey, as: Result.self)
    }

    /// How many times a request with an idempotency key is sent when its connection fails.
    public static let idempotentAttempts = 4

    private func send(_ method: HTTPMethod, _ path: String, body: Data?,
                      idempotencyKey: String?) async throws -> (status: Int, body: Data, headers: [(String, String)]) {
        guard let idempotencyKey else { return try await raw(method, path, body: body) }
        var attempt = 1
        while true {
            do {
                return try await raw(method, path, body: body, headers: [("Idempotency-Key", idempotencyKey)])
            } catch where attempt < Self.idempotentAttempts && !(error is CancellationError) {
                // The manager may or may not have made the command: the same key makes sending again safe.
                try await Task.sleep(for: .milliseconds(100 << attempt))
                attempt += 1
            }
        }
    }

    /// A new key for one request: sent again only with that request.
    public static func newIdempotencyKey() -> String { UUID().uuidString.lowercased() }

    // MARK: the reference operations

    public enum ServiceAction: String, Sendable { case start, stop, restart }

    /// The raw reply of a start, stop or restart, refusals included (for callers that check them).
    public func service(_ action: ServiceAction, _ name: String, onlySelf: Bool, cluster: Int,
                        idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await post("/web/v1/maintain/cluster/\(cluster)/service/\(Self.segment(name))/\(action.rawValue)",
                       ServiceActionRequest(onlySelf: onlySelf), idempotencyKey: idempotencyKey)
    }

    /// The raw reply of a configuration save, refusals included.
    public func saveConfiguration(_ request: SaveConfigurationRequest, cluster: Int,
                                  idempotencyKey: String? = nil) async throws -> Reply<NoResult> {
        try await post("/web/v1/config/cluster/\(cluster)/save", request, idempotencyKey: idempotencyKey)
    }

    /// The raw reply of the progress endpoint, refusals included.
    public func progress(_ id: Int64) async throws -> Reply<ProgressDocument> {
        try await get("/web/v1/common/command/\(id)/progress", as: ProgressDocument.self)
    }

    /// Polls a command's progress until COMPLETE or FAILED, calling `observe`
    /// with every document seen. Gives up after `timeout`.
    public func wait(for id: Int64, timeout: Duration = .seconds(120), interval: Duration = .milliseconds(20),
                     observe: (Envelope<ProgressDocument>) -> Void = { _ in }) async throws -> Envelope<ProgressDocument> {
        let deadline = ContinuousClock.now + timeout
        while true {
            let reply = try await progress(id)
            observe(reply.envelope)
            if reply.envelope.state != .inProgress || reply.status != 200 { return reply.envelope }
            guard ContinuousClock.now < deadline else { return reply.envelope }
            try await Task.sleep(for: interval)
        }
    }
}
