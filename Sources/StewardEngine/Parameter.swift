import StewardAPI

/// A configuration parameter of a service or role, with its validity check.
public struct ParameterDefinition: Sendable, Codable, Hashable {
    public enum Kind: String, Sendable, Codable, Hashable {
        case int = "INT"
        /// An integer that names a listening port: 1024-65535 unless narrowed.
        case port = "PORT"
        case string = "STRING"
        case bool = "BOOL"
        case enumeration = "ENUM"
        /// A secret: validated like a string, never shown.
        case password = "PASSWORD"
    }

    public let name: String
    public let type: Kind
    public let defaultValue: String
    public let description: String
    public let min: Int?
    public let max: Int?
    public let allowed: [String]?
    public let maxLength: Int?

    public init(name: String, type: Kind, defaultValue: String, description: String,
                min: Int? = nil, max: Int? = nil, allowed: [String]? = nil, maxLength: Int? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
        self.min = min
        self.max = max
        self.allowed = allowed
        self.maxLength = maxLength
    }

    public var effectiveMin: Int? { min ?? (type == .port ? 1024 : nil) }
    public var effectiveMax: Int? { max ?? (type == .port ? 65535 : nil) }

    /// The validity check in words, as the reference's `item_conf`.
    public var validity: String {
        switch type {
        case .int, .port:
            switch (effectiveMin, effectiveMax) {
            case let (lo?, hi?): return "integer \(lo)-\(hi)"
            case let (lo?, nil): return "integer >= \(lo)"
            case let (nil, hi?): return "integer <= \(hi)"
            case (nil, nil): return "integer"
            }
        case .bool: return "true or false"
        case .enumeration: return "one of " + (allowed ?? []).joined(separator: ", ")
        case .string, .password: return "text of at most \(maxLength ?? 4096) characters"
        }
    }

    /// nil when valid; otherwise why not, in words a person can act on.
    public func validate(_ value: String) -> String? {
        switch type {
        case .int, .port:
            let trimmed = value.trimmingSpaces
            guard let n = Int(trimmed) else {
                return "\(name) must be an integer, got '\(value.prefix(64))'"
            }
            if let lo = effectiveMin, n < lo { return "\(name) must be \(validity), got \(n)" }
            if let hi = effectiveMax, n > hi { return "\(name) must be \(validity), got \(n)" }
            return nil
        case .bool:
            return value == "true" || value == "false" ? nil : "\(name) must be true or false, got '\(value.prefix(64))'"
        case .enumeration:
            return (allowed ?? []).contains(value) ? nil : "\(name) must be \(validity), got '\(value.prefix(64))'"
        case .string, .password:
            let limit = maxLength ?? 4096
            if value.count > limit { return "\(name) must be at most \(limit) characters" }
            if value.contains(where: { $0 == "\0" || $0 == "\n" || $0 == "\r" }) {
                return "\(name) must be a single line of text"
            }
            return nil
        }
    }

    /// The canonical stored form (e.g. " 42" becomes "42").
    public func normalize(_ value: String) -> String {
        guard type == .int || type == .port else { return value }
        return Int(value.trimmingSpaces).map(String.init) ?? value.trimmingSpaces
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
