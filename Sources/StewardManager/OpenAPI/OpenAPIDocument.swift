import StewardOpenAPI

/// The OpenAPI 3 document of the whole API, served at `/web/v1/openapi.yaml`
/// and printed by `steward openapi`. The document itself is the YAML file
/// `Sources/StewardOpenAPI/openapi.yaml`, embedded in the binary; this name
/// stays so that the manager's files need no import of their own for it.
enum OpenAPIDocument {
    static var yaml: String { OpenAPISpec.yaml }
}
