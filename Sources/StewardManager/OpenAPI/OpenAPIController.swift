import Hummingbird
import NIOCore

/// `GET /web/v1/openapi.yaml`: the API's own description, for its clients.
struct OpenAPIController {
    typealias Context = StewardRequestContext

    func addRoutes(api: RouterGroup<Context>) {
        api.get("openapi.yaml", use: document)
    }

    @Sendable func document(_ request: Request, context: Context) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/yaml"],
                 body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
    }
}
