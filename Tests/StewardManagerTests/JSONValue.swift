import Foundation
import StewardAPI
import Yams

/// A JSON value, as parsed from the OpenAPI document (YAML) or from what our
/// encoders write: one tree type, so that the validator compares like with like
/// and knows an integer from a number and a string "true" from a boolean.
enum JSONValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// An integer or a number, as a Double, for the bounds of `minimum`/`maximum`.
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .double(let d): String(d)
        case .string(let s): "\"\(s.prefix(40))\""
        case .array(let items): "[\(items.count) items]"
        case .object(let members): "{\(members.keys.sorted().joined(separator: ", "))}"
        }
    }
}

extension JSONValue {
    /// Parses YAML with Yams, taking each scalar's type from its resolved tag:
    /// a quoted "true" or "200" stays a string, as a YAML 1.1 reader sees it.
    init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml) else { throw Malformed("an empty document") }
        self = try JSONValue(node: root)
    }

    init(node: Node) throws {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: self = .null
            case Tag.Name.bool.rawValue: self = .bool(node.bool ?? false)
            case Tag.Name.int.rawValue:
                guard let i = node.int else { throw Malformed("not an integer: \(scalar.string)") }
                self = .int(Int64(i))
            case Tag.Name.float.rawValue:
                guard let d = node.float else { throw Malformed("not a number: \(scalar.string)") }
                self = .double(d)
            default: self = .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.string else { throw Malformed("a key that is not a string") }
                guard members[name] == nil else { throw Malformed("duplicate key \(name)") }
                members[name] = try JSONValue(node: value)
            }
            self = .object(members)
        case .sequence(let sequence):
            self = .array(try sequence.map(JSONValue.init(node:)))
        case .alias:
            throw Malformed("aliases are not used in the document")
        }
    }

    /// What an encoder wrote, read back without losing the integer/number distinction.
    init(json data: Data) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Encodes a wire value as the manager does (`WireJSON`).
    init(encoding value: some Encodable) throws {
        try self.init(json: WireJSON.encode(value))
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

extension JSONValue: Decodable {
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        // Booleans first: JSONDecoder reads `true` as nothing else, but `1` must not become a Bool.
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }
}
