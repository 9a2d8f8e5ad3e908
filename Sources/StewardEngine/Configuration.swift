import StewardAPI

/// Where a configuration value is set. A service parameter is set at service
/// level; a role parameter at role level (every instance) or instance level
/// (one instance, overriding the role level).
public enum ConfigScope: Sendable, Hashable, Codable, CustomStringConvertible {
    case service(String)
    case role(service: String, role: String)
    case instance(InstanceRef)

    public var service: String {
        switch self {
        case .service(let s): s
        case .role(let s, _): s
        case .instance(let i): i.service
        }
    }

    public var description: String {
        switch self {
        case .service(let s): s
        case .role(let s, let r): "\(s)/\(r)"
        case .instance(let i): "\(i.service)/\(i)"
        }
    }
}

extension ConfigurationProblem {
    public init(scope: ConfigScope, name: String, message: String) {
        switch scope {
        case .service(let s): self.init(serviceName: s, roleName: nil, hostName: nil, name: name, message: message)
        case .role(let s, let r): self.init(serviceName: s, roleName: r, hostName: nil, name: name, message: message)
        case .instance(let i): self.init(serviceName: i.service, roleName: i.role, hostName: i.host, name: name, message: message)
        }
    }
}

public struct ConfigValue: Sendable, Hashable, Codable {
    public let scope: ConfigScope
    public let name: String
    public let value: String
    /// A PASSWORD parameter's value: the store keeps it sealed.
    public let secret: Bool

    public init(scope: ConfigScope, name: String, value: String, secret: Bool = false) {
        self.scope = scope
        self.name = name
        self.value = value
        self.secret = secret
    }
}

/// All values set in a cluster, over the stack's defaults.
public struct Configuration: Sendable, Hashable {
    public private(set) var values: [ConfigScope: [String: String]] = [:]

    public init(_ list: [ConfigValue] = []) {
        for v in list { values[v.scope, default: [:]][v.name] = v.value }
    }

    public mutating func set(_ v: ConfigValue) { values[v.scope, default: [:]][v.name] = v.value }

    public func value(_ name: String, at scope: ConfigScope) -> String? { values[scope]?[name] }

    /// The effective parameters of an instance: defaults, then service level,
    /// then role level, then instance level.
    public func effective(for instance: InstanceRef, in stack: Stack) -> [String: String] {
        guard let (service, role) = stack.role(instance.role) else { return [:] }
        var out: [String: String] = [:]
        for p in service.configurations {
            out[p.name] = value(p.name, at: .service(service.name)) ?? p.defaultValue
        }
        for p in role.configurations {
            out[p.name] = value(p.name, at: .instance(instance))
                ?? value(p.name, at: .role(service: service.name, role: role.name))
                ?? p.defaultValue
        }
        return out
    }

    /// The parameters that may be set at a scope, or why the scope is wrong.
    /// With a topology, an instance scope must name a placed instance.
    public static func parameters(at scope: ConfigScope, in stack: Stack,
                                  topology: Topology? = nil) throws(StewardError) -> [ParameterDefinition] {
        guard let service = stack.service(scope.service) else {
            throw StewardError(.serviceNotFound, "Service '\(scope.service)' does not exist in the cluster.")
        }
        switch scope {
        case .service:
            return service.configurations
        case .role(_, let roleName):
            guard let role = service.role(roleName) else {
                throw StewardError(.roleNotFound, "Role '\(roleName)' does not exist in service '\(service.name)'.")
            }
            return role.configurations
        case .instance(let instance):
            guard let role = service.role(instance.role) else {
                throw StewardError(.roleNotFound, "Role '\(instance.role)' does not exist in service '\(service.name)'.")
            }
            if let topology, !topology.contains(InstanceRef(service: service.name, role: role.name, host: instance.host)) {
                throw StewardError(.instanceNotFound, "Role '\(role.name)' has no instance on host '\(instance.host)'.")
            }
            return role.configurations
        }
    }

    /// Validates a whole change before anything is stored; every problem is
    /// reported at once so that an operator fixes them in one go.
    public static func validate(_ changes: [ConfigValue], in stack: Stack, topology: Topology) throws(StewardError) -> [ConfigValue] {
        var normalized: [ConfigValue] = []
        var problems: [String] = []
        var located: [ConfigurationProblem] = []
        var firstCode: ErrorCode?
        func note(_ change: ConfigValue, _ message: String) {
            problems.append(message)
            located.append(ConfigurationProblem(scope: change.scope, name: change.name, message: message))
        }
        for change in changes {
            let params: [ParameterDefinition]
            do {
                params = try parameters(at: change.scope, in: stack, topology: topology)
            } catch {
                firstCode = firstCode ?? error.code
                note(change, error.message)
                continue
            }
            guard let p = params.first(where: { $0.name == change.name }) else {
                let service = stack.service(change.scope.service)
                let elsewhere = service.map { s in
                    s.configurations.contains { $0.name == change.name } || s.roles.contains { $0.configurations.contains { $0.name == change.name } }
                } ?? false
                firstCode = firstCode ?? (elsewhere ? .configurationLevelMismatch : .unknownConfiguration)
                note(change, elsewhere
                    ? "'\(change.name)' cannot be set at \(change.scope)"
                    : "'\(change.name)' is not a parameter of \(change.scope)")
                continue
            }
            if let why = p.validate(change.value) {
                firstCode = firstCode ?? .invalidConfigurationValue
                note(change, "\(change.scope): \(why)")
                continue
            }
            normalized.append(ConfigValue(scope: change.scope, name: p.name, value: p.normalize(change.value),
                                          secret: p.type == .password))
        }
        if let code = firstCode {
            throw StewardError(code, "Configuration rejected, nothing was saved: " + problems.joined(separator: "; "), problems: located)
        }
        return normalized
    }

    /// The values, each marked secret when the stack makes its parameter a PASSWORD.
    public static func markingSecrets(_ values: [ConfigValue], in stack: Stack) -> [ConfigValue] {
        values.map { v in
            let type = (try? parameters(at: v.scope, in: stack))?.first { $0.name == v.name }?.type
            return ConfigValue(scope: v.scope, name: v.name, value: v.value, secret: type == .password)
        }
    }

    /// The instances whose effective configuration differs between two configurations.
    public static func affectedInstances(before: Configuration, after: Configuration, in stack: Stack,
                                         topology: Topology) -> [InstanceRef] {
        topology.instances(in: stack).filter { before.effective(for: $0, in: stack) != after.effective(for: $0, in: stack) }
    }

    /// Forgets the values set for one instance: it was taken off its host.
    public mutating func drop(_ instance: InstanceRef) {
        values[.instance(instance)] = nil
    }
}
