import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import StewardAPI
import StewardEngine

/// Encoding of envelopes and decoding of request bodies, with every failure
/// mapped to a catalogue error rather than a framework default.
enum JSONBody {
    static let contentType = "application/json;charset=UTF-8"

    static func encode<R>(_ envelope: Envelope<R>) -> ByteBuffer {
        ByteBuffer(data: WireJSON.envelope(envelope))
    }

    static func response(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: buffer))
    }

    static func envelope<T: Codable & Sendable>(_ env: Envelope<T>, status: HTTPResponse.Status = .ok) -> Response {
        response(encode(env), status: status)
    }

    /// A success envelope with the reference's extra top-level fields after its own.
    static func ok<Extra: Encodable>(topLevel extra: Extra) -> Response {
        response(ByteBuffer(data: WireJSON.envelope(Envelope<NoResult>(), extra: extra)))
    }

    static func ok<T: Codable & Sendable>(_ result: T) -> Response {
        envelope(Envelope(resObj: result))
    }

    static func failure(_ error: StewardError) -> Response {
        var response = error.problems.isEmpty
            ? envelope(Envelope<NoResult>.failure(error), status: .init(code: error.code.httpStatus))
            : envelope(Envelope(id: -1, state: .failed, errorCode: error.code.rawValue,
                                errorDescription: error.message, resObj: ConfigurationProblems(problems: error.problems)),
                       status: .init(code: error.code.httpStatus))
        response.headers[.errorCode] = String(error.code.rawValue)
        return response
    }

    /// Reads and decodes a JSON body; an empty body decodes as `{}` when `T`
    /// allows it, unless the body is `required`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int, required: Bool = false) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw StewardError(.bodyTooLarge, "The request body is larger than \(limit) bytes.")
        }
        if required && buffer.readableBytes == 0 {
            throw StewardError(.malformedJSON, "A JSON body is required.")
        }
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: buffer)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw StewardError(.malformedJSON, "The request body is not valid: \(describe(error))")
        } catch {
            throw StewardError(.malformedJSON, "The request body is not valid JSON.")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ ctx: DecodingError.Context) -> String {
            let p = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "the body" : p
        }
        switch error {
        case .typeMismatch(_, let ctx): return "\(path(ctx)) has the wrong type."
        case .valueNotFound(_, let ctx): return "\(path(ctx)) is missing."
        case .keyNotFound(let key, let ctx):
            let prefix = path(ctx) == "the body" ? "" : path(ctx) + "."
            return "\(prefix)\(key.stringValue) is required."
        case .dataCorrupted(let ctx): return ctx.codingPath.isEmpty ? "not valid JSON." : "\(path(ctx)) is not valid."
        @unknown default: return "not valid JSON."
        }
    }
}
