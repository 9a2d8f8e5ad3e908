import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A bare HTTP client that, like the documented Java client, follows no
/// redirects and shows every header, so that tests can check Set-Cookie order.
struct RawHTTP: Sendable {
    struct Reply: Sendable {
        let status: Int
        let headers: [(String, String)]
        let body: String
        func all(_ name: String) -> [String] { headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1) }
        func first(_ name: String) -> String? { all(name).first }
    }

    static let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                   configuration: .init(redirectConfiguration: .disallow))

    static func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                     body: String(buffer: buffer))
    }

    /// The value of a `name=value; ...` cookie header.
    static func cookieValue(_ header: String?, _ name: String) -> String? {
        guard let header, header.hasPrefix(name + "=") else { return nil }
        let rest = header.dropFirst(name.count + 1)
        return String(rest.prefix { $0 != ";" })
    }
}
