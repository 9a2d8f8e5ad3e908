import Foundation
import Logging
import StewardAPI
import StewardEngine
@testable import StewardManager
import StewardOpenAPI
import Testing

/// The OpenAPI document is the contract: every route the manager serves is in
/// it and every operation in it is served, and every wire type encodes to
/// what the document's schema for it says, field by field.
@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    static let methods = ["get", "put", "post", "delete", "patch", "head", "options"]

    static func document() throws -> JSONValue { try JSONValue(yaml: OpenAPISpec.yaml) }

    /// "METHOD /path" of every operation in the document.
    static func documented(_ document: JSONValue) -> Set<String> {
        var out: Set<String> = []
        for (path, item) in document["paths"]?.object ?? [:] {
            for method in methods where item[method] != nil { out.insert("\(method.uppercased()) \(path)") }
        }
        return out
    }

    /// The JSON schema of a sample's place in the document, following the
    /// shared request bodies and responses it may refer to.
    static func schema(of sample: WireSample, in document: JSONValue, validator: SchemaValidator) -> JSONValue? {
        let words = sample.operation.split(separator: " ", maxSplits: 1).map(String.init)
        guard words.count == 2, let operation = document["paths"]?[words[1]]?[words[0].lowercased()] else { return nil }
        func followed(_ node: JSONValue?) -> JSONValue? {
            guard let ref = node?["$ref"]?.string else { return node }
            return validator.resolve(ref)
        }
        let container = switch sample.part {
        case .request: followed(operation["requestBody"])
        case .response(let status): followed(operation["responses"]?[status])
        }
        return container?["content"]?["application/json"]?["schema"]
    }

    @Test func theDocumentIsTheFileAndIsServedAsItIs() throws {
        let document = try Self.document()
        #expect(document["openapi"]?.string?.hasPrefix("3.0.") == true)
        #expect(Manager.openAPIDocument == OpenAPISpec.yaml)
        #expect(OpenAPISpec.yaml.hasSuffix("\n"), "edited as a file: it ends with a newline")
    }

    @Test func everyRouteIsDocumentedAndEveryOperationServed() async throws {
        let served = try await withTestManager { manager in
            Set(manager.router().routes.map { route in
                let path = route.path.description
                    .split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                    .reduce("") { $0 + "/" + $1 }
                return "\(route.method.rawValue) " + (path.isEmpty ? "/" : path)
            })
        }
        let documented = Self.documented(try Self.document())
        #expect(documented.count > 25)
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    /// Each wire type, encoded as the manager encodes it, against its schema:
    /// a field the document lacks, a renamed one, a wrong type or an unlisted
    /// enum value fails here. Responses may carry only what the document lists
    /// (it says `additionalProperties: false`); request bodies are checked as
    /// closed too, though the server ignores unknown fields.
    @Test(arguments: WireSamples.all.map(\.label))
    func wireTypeMatchesItsSchema(_ label: String) throws {
        let sample = try #require(WireSamples.all.first { $0.label == label })
        let document = try Self.document()
        let validator = SchemaValidator(document: document)
        let schema = try #require(Self.schema(of: sample, in: document, validator: validator),
                                  "no application/json schema for \(label) in the document")
        if let full = sample.full {
            let unset = unsetFields(full)
            #expect(unset.isEmpty, "the sample leaves fields out of the check: \(unset)")
        }
        var mode = SchemaValidator.Mode(closed: sample.part == .request, complete: true)
        mode.mayLack = sample.mayLack
        let problems = validator.validate(try JSONValue(json: sample.wire), against: schema, mode: mode)
        #expect(problems.isEmpty, "\(label): \(problems.joined(separator: "; "))")
    }

    /// Every JSON body the document describes under /web/v1 and /agent/v1 has a sample, so
    /// that a new endpoint or response comes with its wire type's check.
    @Test func everyJSONBodyOfTheAPIHasASample() throws {
        let document = try Self.document()
        let validator = SchemaValidator(document: document)
        // A shared request body or response is covered once; an inline one per operation.
        func key(_ node: JSONValue?, _ inline: String) -> String? {
            if let ref = node?["$ref"]?.string { return validator.resolve(ref)?["content"]?["application/json"] == nil ? nil : ref }
            return node?["content"]?["application/json"] == nil ? nil : inline
        }
        var needed: Set<String> = []
        for (path, item) in document["paths"]?.object ?? [:] where path.hasPrefix("/web/v1/") || path.hasPrefix("/agent/v1/") {
            for method in Self.methods {
                guard let operation = item[method] else { continue }
                let name = "\(method.uppercased()) \(path)"
                if let k = key(operation["requestBody"], "\(name) request body") { needed.insert(k) }
                for (status, response) in operation["responses"]?.object ?? [:] {
                    if let k = key(response, "\(name) response \(status)") { needed.insert(k) }
                }
            }
        }
        var covered: Set<String> = []
        for sample in WireSamples.all {
            let operation = sample.operation.split(separator: " ", maxSplits: 1).map(String.init)
            let node = document["paths"]?[operation[1]]?[operation[0].lowercased()]
            let body = switch sample.part {
            case .request: node?["requestBody"]
            case .response(let status): node?["responses"]?[status]
            }
            if let k = key(body, sample.label) { covered.insert(k) }
        }
        #expect(needed.subtracting(covered).isEmpty, "JSON bodies without a sample: \(needed.subtracting(covered).sorted())")
        #expect(needed.count > 20)
    }
}
