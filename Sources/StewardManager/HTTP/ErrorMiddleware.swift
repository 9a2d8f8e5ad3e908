import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StewardAPI
import StewardEngine

/// Turns every failure into the reference envelope with a catalogue code, so
/// that no client ever sees a framework's default error page. Unknown errors
/// become 500 with a generic text; their detail goes to the log only.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let logger: Logger
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty else { return JSONBody.failure(StewardError(.routeNotFound, "No such endpoint.")) }
            var response = JSONBody.failure(StewardError(
                .methodNotAllowed, "\(request.method.rawValue) is not accepted here; use \(allowed.sorted().joined(separator: ", ")).")
            )
            response.headers[.allow] = allowed.sorted().joined(separator: ", ")
            return response
        } catch {
            return Self.response(for: error, path: request.uri.path, logger: logger)
        }
    }

    static func response(for error: any Error, path: String, logger: Logger) -> Response {
        switch error {
        case let error as StewardError:
            return JSONBody.failure(error)
        case is NIOTooManyBytesError:
            return JSONBody.failure(StewardError(.bodyTooLarge))
        case let error as HTTPError:
            return JSONBody.failure(map(error))
        case is DecodingError:
            return JSONBody.failure(StewardError(.malformedJSON))
        default:
            logger.error("request failed", metadata: ["path": "\(path)", "error": "\(error)"])
            return JSONBody.failure(StewardError(.internalError, "Internal error; the manager's log has the detail."))
        }
    }

    static func map(_ error: HTTPError) -> StewardError {
        switch error.status.code {
        case 404: StewardError(.routeNotFound, "No such endpoint.")
        case 405: StewardError(.methodNotAllowed)
        case 413: StewardError(.bodyTooLarge)
        case 401: StewardError(.unauthenticated)
        case 400..<500: StewardError(.invalidParameter, error.body ?? "The request is invalid.")
        default: StewardError(.internalError)
        }
    }
}
