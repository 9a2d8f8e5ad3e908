import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import StewardAPI

extension StewardClient {
    /// A command's progress as the manager pushes it (server-sent events):
    /// every new version of the document until COMPLETE or FAILED.
    public func events(for id: Int64) -> AsyncThrowingStream<Envelope<ProgressDocument>, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    var request = HTTPClientRequest(url: baseURL + "/web/v1/common/command/\(id)/progress")
                    if let authorization { request.headers.add(name: "Authorization", value: authorization) }
                    request.headers.add(name: "Accept", value: "text/event-stream")
                    let response = try await http.execute(request, timeout: .hours(24))
                    guard response.status.code == 200 else {
                        let body = try await response.body.collect(upTo: 1 << 20)
                        let envelope = try? JSONDecoder().decode(Envelope<NoResult>.self, from: body)
                        throw Refusal(status: Int(response.status.code), code: envelope?.errorCode ?? -1,
                                      message: envelope?.errorDescription ?? "unexpected answer")
                    }
                    var pending = ""
                    for try await chunk in response.body {
                        pending += String(buffer: chunk)
                        while let end = pending.range(of: "\n\n") {
                            let block = pending[..<end.lowerBound]
                            pending = String(pending[end.upperBound...])
                            for line in block.split(separator: "\n") where line.hasPrefix("data: ") {
                                continuation.yield(try JSONDecoder().decode(Envelope<ProgressDocument>.self, from: Data(line.dropFirst(6).utf8)))
                            }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A refusal by the manager: its HTTP status, catalogue code and description.
public struct Refusal: Error, CustomStringConvertible, Sendable {
    public let status: Int
    public let code: Int
    public let message: String
    public init(status: Int, code: Int, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
    public var description: String { "error \(code) (HTTP \(status)): \(message)" }
}
