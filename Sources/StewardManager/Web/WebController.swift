import HTTPTypes
import Hummingbird
import NIOCore
import StewardAPI
import StewardEngine
import StewardWeb

/// The web UI: its shell at `/`, its files under `/ui/`, and the password
/// page the CAS login page links to. These are the same for everyone and hold
/// no data, so they need no credentials; everything they show comes from the
/// authenticated API, with the web session cookie.
struct WebController {
    typealias Context = StewardRequestContext

    func addRoutes(to router: Router<Context>) {
        router.get("/", use: index)
        router.get("/web/modify_password.html", use: modifyPassword)
        router.get("/ui/{file}", use: file)
    }

    @Sendable func index(_ request: Request, context: Context) async throws -> Response {
        Self.serve(WebAssets.index, request)
    }

    @Sendable func modifyPassword(_ request: Request, context: Context) async throws -> Response {
        Self.serve(WebAssets.modifyPassword, request)
    }

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        guard let name = context.parameters.get("file"), let asset = WebAssets.files[name] else {
            throw StewardError(.routeNotFound, "No such file of the web UI.")
        }
        return Self.serve(asset, request)
    }

    /// Only this manager's own scripts, styles and API: an injected script
    /// could neither load nor send anything elsewhere, and no other site may
    /// frame the UI.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static func serve(_ asset: WebAssets.Asset, _ request: Request) -> Response {
        var headers: HTTPFields = [
            .contentType: asset.contentType,
            .eTag: asset.etag,
            // Revalidated on every load (a 304 costs a few bytes), so an upgraded manager's UI is used at once.
            .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            .referrerPolicy: "same-origin",
        ]
        if request.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
