import Hummingbird
import Logging
import NIOCore
import StewardEngine

/// Turns every failure into the reference envelope with a catalogue code, so
/// that no client ever sees a framework's default error page. Unknown errors
/// become 500 with a generic text; their detail goes to the log only.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = StewardRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as StewardError {
            return JSONBody.failure(error)
        } catch is NIOTooManyBytesError {
            return JSONBody.failure(StewardError(.bodyTooLarge))
        } catch let error as HTTPError {
            return JSONBody.failure(Self.map(error))
        } catch is DecodingError {
            return JSONBody.failure(StewardError(.malformedJSON))
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
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
