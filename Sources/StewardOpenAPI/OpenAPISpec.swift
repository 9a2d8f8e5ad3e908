/// The OpenAPI 3 document of the manager's whole API. It is edited as YAML in
/// `openapi.yaml` beside this file and compiled into the binary, like the web
/// UI, so that the document served and printed is always the one the binary
/// was built with; the contract test parses the same bytes.
public enum OpenAPISpec {
    /// The document as served at `/web/v1/openapi.yaml` and printed by `steward openapi`.
    public static let yaml = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
