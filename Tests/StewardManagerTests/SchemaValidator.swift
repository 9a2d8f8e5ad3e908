import Foundation

/// Validates a JSON value against a schema of the OpenAPI 3.0 document: the
/// subset of JSON Schema the document uses (`$ref`, `type`, `format`,
/// `nullable`, `enum`, `required`, `properties`, `additionalProperties`,
/// `items`, `allOf`/`anyOf`/`oneOf`/`not`, lengths, `pattern`, bounds, item
/// counts). A keyword it does not know is an error, so that the document
/// cannot grow a rule this check silently skips.
struct SchemaValidator {
    let document: JSONValue

    /// How strictly an object is compared with its schema.
    struct Mode {
        /// Every property must be listed even where the document allows more
        /// (`additionalProperties` absent): request bodies, where the server
        /// ignores unknown fields and so the document cannot close them, are
        /// still checked against what our own types send.
        var closed = false
        /// Every listed property must be present, except these names: a sample
        /// with every optional set must show every documented field.
        var complete = false
        var mayLack: Set<String> = []
        /// False for an allOf part: the closed and complete checks then span
        /// all the parts at the level above; nested values get them again.
        var atThisLevel = true

        var nested: Mode {
            var m = self
            m.atThisLevel = true
            return m
        }
    }

    static let known: Set<String> = [
        "$ref", "type", "format", "nullable", "enum", "required", "properties", "additionalProperties", "items",
        "allOf", "anyOf", "oneOf", "not", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "minItems", "maxItems", "description", "example",
    ]

    /// The problems, each with where in the value it is; empty when valid.
    func validate(_ value: JSONValue, against schema: JSONValue, mode: Mode = Mode(), at path: String = "$") -> [String] {
        guard let keywords = schema.object else { return ["\(path): the schema is not an object"] }
        if let ref = keywords["$ref"]?.string {
            // OpenAPI 3.0: a $ref replaces its siblings.
            guard let target = resolve(ref) else { return ["\(path): unresolved \(ref)"] }
            return validate(value, against: target, mode: mode, at: path)
        }
        let unknown = Set(keywords.keys).subtracting(Self.known)
        if !unknown.isEmpty { return ["\(path): keywords this validator does not check: \(unknown.sorted())"] }
        if value == .null, case .bool(true)? = keywords["nullable"] { return [] }

        var problems: [String] = []
        if let parts = keywords["allOf"]?.array {
            // Each part alone; a closed or complete check spans the parts together, below.
            var inner = mode
            inner.atThisLevel = false
            for part in parts { problems += validate(value, against: part, mode: inner, at: path) }
        }
        if let parts = keywords["anyOf"]?.array,
           !parts.contains(where: { validate(value, against: $0, mode: mode, at: path).isEmpty }) {
            problems.append("\(path): matches none of anyOf")
        }
        if let parts = keywords["oneOf"]?.array {
            let matching = parts.filter { validate(value, against: $0, mode: mode, at: path).isEmpty }.count
            if matching != 1 { problems.append("\(path): matches \(matching) of oneOf, not exactly one") }
        }
        if let negated = keywords["not"], validate(value, against: negated, at: path).isEmpty {
            problems.append("\(path): matches the schema under not")
        }
        if let allowed = keywords["enum"]?.array, !allowed.contains(value) {
            problems.append("\(path): \(value) is not one of \(allowed.map(\.description).joined(separator: ", "))")
        }
        if let type = keywords["type"]?.string {
            guard Self.matches(value, type: type) else { return problems + ["\(path): \(value) is not of type \(type)"] }
        }
        switch value {
        case .string(let s): problems += checkString(s, keywords, path)
        case .int, .double: problems += checkNumber(value, keywords, path)
        case .array(let items): problems += checkArray(items, keywords, mode, path)
        case .object(let members): problems += checkObject(members, schema, mode, path)
        case .null: problems.append("\(path): null where the schema is not nullable")
        case .bool: break
        }
        return problems
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("integer", .int), ("number", .int), ("number", .double),
             ("boolean", .bool), ("array", .array), ("object", .object): true
        default: false
        }
    }

    func checkString(_ s: String, _ k: [String: JSONValue], _ path: String) -> [String] {
        var problems: [String] = []
        // JSON Schema counts code points, not grapheme clusters.
        let length = s.unicodeScalars.count
        if let min = k["minLength"]?.number, Double(length) < min { problems.append("\(path): shorter than \(Int(min))") }
        if let max = k["maxLength"]?.number, Double(length) > max { problems.append("\(path): longer than \(Int(max))") }
        if let pattern = k["pattern"]?.string {
            guard let regex = try? NSRegularExpression(pattern: Self.ecma(pattern)) else {
                return problems + ["\(path): bad pattern \(pattern)"]
            }
            if regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil {
                problems.append("\(path): \"\(s)\" does not match \(pattern)")
            }
        }
        return problems
    }

    /// ICU reads `$` as "at the end, or before a final line break"; ECMA 262,
    /// the dialect of JSON Schema, reads it as the end only. So "a\n" does not
    /// match `^a$` here, as a client following the document would find.
    static func ecma(_ pattern: String) -> String {
        var out = ""
        var escaped = false
        var inClass = false
        for c in pattern {
            if escaped {
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "[" {
                inClass = true
            } else if c == "]" {
                inClass = false
            } else if c == "$", !inClass {
                out += #"(?![\s\S])"#
                continue
            }
            out.append(c)
        }
        return out
    }

    func checkNumber(_ value: JSONValue, _ k: [String: JSONValue], _ path: String) -> [String] {
        var problems: [String] = []
        if let format = k["format"]?.string {
            switch (format, value) {
            case ("int32", .int(let i)) where Int32(exactly: i) == nil: problems.append("\(path): \(i) is not an int32")
            case ("int32", .int), ("int64", .int), ("double", _), ("float", _): break
            default: problems.append("\(path): \(value) is not of format \(format)")
            }
        }
        guard let n = value.number else { return problems }
        // Exact for the int64 bounds too: compare integers as integers.
        func below(_ bound: JSONValue) -> Bool {
            if case .int(let i) = value, case .int(let b) = bound { return i < b }
            return n < (bound.number ?? -.infinity)
        }
        func above(_ bound: JSONValue) -> Bool {
            if case .int(let i) = value, case .int(let b) = bound { return i > b }
            return n > (bound.number ?? .infinity)
        }
        if let min = k["minimum"], below(min) { problems.append("\(path): \(value) is below the minimum \(min)") }
        if let max = k["maximum"], above(max) { problems.append("\(path): \(value) is above the maximum \(max)") }
        return problems
    }

    func checkArray(_ items: [JSONValue], _ k: [String: JSONValue], _ mode: Mode, _ path: String) -> [String] {
        var problems: [String] = []
        if let min = k["minItems"]?.number, Double(items.count) < min { problems.append("\(path): fewer than \(Int(min)) items") }
        if let max = k["maxItems"]?.number, Double(items.count) > max { problems.append("\(path): more than \(Int(max)) items") }
        if let itemSchema = k["items"] {
            for (i, item) in items.enumerated() { problems += validate(item, against: itemSchema, mode: mode.nested, at: "\(path)[\(i)]") }
        }
        return problems
    }

    func checkObject(_ members: [String: JSONValue], _ schema: JSONValue, _ mode: Mode, _ path: String) -> [String] {
        let k = schema.object ?? [:]
        var problems: [String] = []
        for name in k["required"]?.array?.compactMap(\.string) ?? [] where members[name] == nil {
            problems.append("\(path): required property \(name) is missing")
        }
        let properties = k["properties"]?.object ?? [:]
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            if let property = properties[name] {
                problems += validate(value, against: property, mode: mode.nested, at: "\(path).\(name)")
            } else if let extra = k["additionalProperties"], extra.object != nil {
                problems += validate(value, against: extra, mode: mode.nested, at: "\(path).\(name)")
            }
        }
        let listed = listedProperties(schema)
        let closedHere = k["additionalProperties"] == .bool(false)
            || (mode.closed && mode.atThisLevel && k["additionalProperties"] == nil)
        if closedHere {
            for name in members.keys.sorted() where !listed.contains(name) {
                problems.append("\(path): property \(name) is not in the document")
            }
        }
        if mode.complete, mode.atThisLevel, k["additionalProperties"]?.object == nil {
            for name in listed.sorted() where members[name] == nil && !mode.mayLack.contains(name) {
                problems.append("\(path): documented property \(name) is not in the sample (set it, or the document lists a field the type lacks)")
            }
        }
        return problems
    }

    /// The property names a schema lists, its allOf parts' included.
    func listedProperties(_ schema: JSONValue) -> Set<String> {
        guard var k = schema.object else { return [] }
        if let ref = k["$ref"]?.string, let target = resolve(ref)?.object { k = target }
        var names = Set(k["properties"]?.object?.keys.map { $0 } ?? [])
        for part in k["allOf"]?.array ?? [] { names.formUnion(listedProperties(part)) }
        return names
    }

    /// A local reference, `#/components/...`, with JSON Pointer escapes.
    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = document
        for token in ref.dropFirst(2).split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            node = node?[key]
        }
        return node
    }
}
