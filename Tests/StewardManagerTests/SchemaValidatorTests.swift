import Foundation
import StewardAPI
import StewardEngine
import StewardOpenAPI
import Testing

/// The validator the contract test relies on finds what it must: if it
/// passed everything, the contract test would prove nothing.
@Suite("Schema validator")
struct SchemaValidatorTests {
    static let yaml = """
    components:
      schemas:
        Thing:
          type: object
          additionalProperties: false
          required: [id, kind]
          properties:
            id: {type: integer, format: int64, minimum: 1}
            kind: {type: string, enum: [A, B]}
            tags: {type: array, minItems: 1, items: {type: string, pattern: "^[a-z]+$"}}
            child: {$ref: "#/components/schemas/Child"}
        Child:
          type: object
          additionalProperties: false
          properties:
            name: {type: string, minLength: 2}
        Wrapped:
          allOf:
            - {$ref: "#/components/schemas/Child"}
            - properties:
                name: {type: string, maxLength: 3}
    """

    let validator: SchemaValidator
    init() throws { validator = SchemaValidator(document: try JSONValue(yaml: Self.yaml)) }

    func problems(_ json: String, _ schema: String = "Thing", mode: SchemaValidator.Mode = .init()) throws -> [String] {
        let value = try JSONValue(json: Data(json.utf8))
        return validator.validate(value, against: .object(["$ref": .string("#/components/schemas/\(schema)")]), mode: mode)
    }

    @Test func aValidValuePasses() throws {
        #expect(try problems(#"{"id": 1, "kind": "A", "tags": ["x"], "child": {"name": "ab"}}"#).isEmpty)
    }

    @Test func eachBreachIsFound() throws {
        #expect(try problems(#"{"id": 1}"#) == ["$: required property kind is missing"])
        #expect(try problems(#"{"id": 1, "kind": "A", "extra": 0}"#) == ["$: property extra is not in the document"])
        #expect(try problems(#"{"id": "1", "kind": "A"}"#) == [#"$.id: "1" is not of type integer"#])
        #expect(try problems(#"{"id": 1.5, "kind": "A"}"#) == ["$.id: 1.5 is not of type integer"])
        #expect(try problems(#"{"id": 0, "kind": "A"}"#) == ["$.id: 0 is below the minimum 1"])
        #expect(try problems(#"{"id": 1, "kind": "C"}"#) == [#"$.kind: "C" is not one of "A", "B""#])
        #expect(try problems(#"{"id": 1, "kind": "A", "tags": []}"#) == ["$.tags: fewer than 1 items"])
        #expect(try problems(#"{"id": 1, "kind": "A", "tags": ["X"]}"#) == [#"$.tags[0]: "X" does not match ^[a-z]+$"#])
        // ECMA's `$` is the end of the string, not "before a final line break" as in ICU or Python.
        #expect(try problems(#"{"id": 1, "kind": "A", "tags": ["x\n"]}"#) == ["$.tags[0]: \"x\n\" does not match ^[a-z]+$"])
        #expect(try problems(#"{"id": 1, "kind": "A", "child": {"name": "a"}}"#) == ["$.child.name: shorter than 2"])
        #expect(try problems(#"{"id": 1, "kind": "A", "child": {"nom": "ab"}}"#) == ["$.child: property nom is not in the document"])
    }

    @Test func theModesOfTheContractTest() throws {
        // Closed: an object without additionalProperties still lists every property.
        let closed = SchemaValidator.Mode(closed: true)
        #expect(try problems(#"{"name": "ab", "x": 1}"#, "Wrapped", mode: closed) == [
            "$: property x is not in the document", "$: property x is not in the document",
        ])
        // Complete: a documented property missing from a full sample.
        let complete = SchemaValidator.Mode(complete: true)
        #expect(try problems(#"{"id": 1, "kind": "A", "tags": ["x"]}"#, mode: complete) == [
            "$: documented property child is not in the sample (set it, or the document lists a field the type lacks)",
        ])
        // allOf: every part applies.
        #expect(try problems(#"{"name": "abcd"}"#, "Wrapped") == ["$.name: longer than 3"])
    }

    @Test func aRenamedOrAddedWireFieldFailsAgainstTheRealDocument() throws {
        let document = try JSONValue(yaml: OpenAPISpec.yaml)
        let validator = SchemaValidator(document: document)
        let schema = JSONValue.object(["$ref": .string("#/components/schemas/HostView")])
        let host = HostView(hostName: "host-1", status: .lost, lastHeartbeat: 1, agentVersion: "0.1.0", instances: [])
        guard case .object(var members) = try JSONValue(encoding: host) else { Issue.record("not an object"); return }
        #expect(validator.validate(.object(members), against: schema).isEmpty)
        members["hostName"] = members.removeValue(forKey: "host_name")
        #expect(validator.validate(.object(members), against: schema) == [
            "$: required property host_name is missing", "$: property hostName is not in the document",
        ])
    }
}
