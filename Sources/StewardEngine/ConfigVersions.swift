import StewardAPI

/// One value that differs between two versions of a cluster's configuration:
/// `old` nil when it was not set before, `new` nil when it no longer is.
public struct ConfigChange: Sendable, Hashable {
    public let scope: ConfigScope
    public let name: String
    public let old: String?
    public let new: String?
    /// A PASSWORD parameter's: stored sealed, never shown.
    public let secret: Bool

    public init(scope: ConfigScope, name: String, old: String?, new: String?, secret: Bool) {
        self.scope = scope
        self.name = name
        self.old = old
        self.new = new
        self.secret = secret
    }
}

/// A saved version of a cluster's configuration: who made it, when, by which
/// command, the whole configuration it left (`values`, empty when only the
/// list was read) and what it changed from the version before.
public struct ConfigVersion: Sendable, Hashable {
    public var number: Int
    public var user: String
    public var createdAt: Millis
    public var commandId: Int64?
    public var description: String
    public var values: [ConfigValue]
    public var changes: [ConfigChange]

    public init(number: Int, user: String, createdAt: Millis, commandId: Int64?, description: String,
                values: [ConfigValue], changes: [ConfigChange]) {
        self.number = number
        self.user = user
        self.createdAt = createdAt
        self.commandId = commandId
        self.description = description
        self.values = values
        self.changes = changes
    }
}

/// Versions of a configuration compared: pure functions of their values.
///
/// A version keeps the whole configuration, with the stack's defaults written
/// out at service and role level, so that it still means the same after a
/// stack changes a default; instance-level values are only those set.
public enum ConfigDiff {
    /// Where a value sits and its name: the key two versions are compared by.
    public struct Key: Hashable, Sendable, Comparable {
        public let service: String
        public let role: String
        public let host: String
        public let name: String

        public init(_ scope: ConfigScope, _ name: String) {
            switch scope {
            case .service(let s): (service, role, host) = (s, "", "")
            case .role(let s, let r): (service, role, host) = (s, r, "")
            case .instance(let i): (service, role, host) = (i.service, i.role, i.host)
            }
            self.name = name
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.service, a.role, a.host, a.name) < (b.service, b.role, b.host, b.name)
        }
    }

    /// The whole configuration as a version keeps it, sorted by where each value sits.
    public static func snapshot(_ configuration: Configuration, in stack: Stack) -> [ConfigValue] {
        var out: [ConfigValue] = []
        for service in stack.services {
            for p in service.configurations {
                let scope = ConfigScope.service(service.name)
                out.append(ConfigValue(scope: scope, name: p.name, value: configuration.value(p.name, at: scope) ?? p.defaultValue,
                                       secret: p.type == .password))
            }
            for role in service.roles {
                let scope = ConfigScope.role(service: service.name, role: role.name)
                for p in role.configurations {
                    out.append(ConfigValue(scope: scope, name: p.name, value: configuration.value(p.name, at: scope) ?? p.defaultValue,
                                           secret: p.type == .password))
                }
            }
        }
        for (scope, values) in configuration.values {
            guard case .instance(let ref) = scope, let (_, role) = stack.role(ref.role) else { continue }
            for (name, value) in values {
                guard let p = role.configurations.first(where: { $0.name == name }) else { continue }
                out.append(ConfigValue(scope: scope, name: name, value: value, secret: p.type == .password))
            }
        }
        return out.sorted { Key($0.scope, $0.name) < Key($1.scope, $1.name) }
    }

    /// What changed from `old` to `new`, in the order of where each value sits.
    public static func between(_ old: [ConfigValue], _ new: [ConfigValue]) -> [ConfigChange] {
        let before = index(old), after = index(new)
        return Set(before.keys).union(after.keys).sorted().compactMap { key in
            let o = before[key], n = after[key]
            guard o?.value != n?.value, let any = n ?? o else { return nil }
            return ConfigChange(scope: any.scope, name: any.name, old: o?.value, new: n?.value,
                                secret: (o?.secret ?? false) || (n?.secret ?? false))
        }
    }

    /// The values to save so that `current` becomes `target` again, as far as
    /// the stack still defines them: every value of `target` that differs now,
    /// and every instance-level value set since, given the value that instance
    /// had then (a save sets values; it never unsets one). Empty: nothing differs.
    public static func restoring(_ target: [ConfigValue], current: [ConfigValue], in stack: Stack) -> [ConfigValue] {
        let then = index(target), now = index(current)
        var out: [ConfigValue] = []
        for (key, v) in then.sorted(by: { $0.key < $1.key }) where now[key]?.value != v.value {
            out.append(v)
        }
        for (key, v) in now.sorted(by: { $0.key < $1.key }) where then[key] == nil {
            guard case .instance(let ref) = v.scope, let (_, role) = stack.role(ref.role),
                  let p = role.configurations.first(where: { $0.name == v.name }) else { continue }
            let was = then[Key(.role(service: ref.service, role: ref.role), v.name)]?.value ?? p.defaultValue
            if was != v.value { out.append(ConfigValue(scope: v.scope, name: v.name, value: was)) }
        }
        // A parameter or instance the stack no longer has cannot be restored.
        let kept = out.filter { v in
            (try? Configuration.parameters(at: v.scope, in: stack))?.contains { $0.name == v.name } ?? false
        }
        return Configuration.markingSecrets(kept, in: stack)
    }

    static func index(_ values: [ConfigValue]) -> [Key: ConfigValue] {
        var out: [Key: ConfigValue] = [:]
        for v in values { out[Key(v.scope, v.name)] = v }
        return out
    }
}
