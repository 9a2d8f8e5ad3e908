import Foundation
import StewardAPI
import StewardEngine

public struct StackError: Error, CustomStringConvertible, Equatable {
    public let problems: [String]
    public var description: String { "invalid stack: " + problems.joined(separator: "; ") }
}

/// Decodes and validates a stack file. A stack that loads is internally
/// consistent: names are unique, dependencies exist and have no cycle, every
/// default passes its own validity check, every placement names a known host.
public enum StackLoader {
    /// The bundled stacks by name.
    public static let bundled: [String: String] = ["demo": DemoStack.json, "lab": LabStack.json]

    /// Loads a bundled stack by name, or a stack file by path.
    public static func load(nameOrPath: String, portShift: Int = 0) throws -> Stack {
        if let text = bundled[nameOrPath] { return try load(json: Data(text.utf8), portShift: portShift) }
        let url = URL(fileURLWithPath: nameOrPath)
        let data = try Data(contentsOf: url)
        return try load(json: data, portShift: portShift, directory: url.deletingLastPathComponent().path)
    }

    /// `portShift` moves every PORT value (defaults and per-instance values),
    /// so that several copies of a stack can run on one machine. `directory`
    /// is where a `template_file` is looked for (the stack file's own).
    public static func load(json: Data, portShift: Int = 0, directory: String? = nil) throws -> Stack {
        let file: StackFile
        do {
            file = try JSONDecoder().decode(StackFile.self, from: json)
        } catch {
            throw StackError(problems: ["not a stack file: \(error)"])
        }
        var problems: [String] = []
        let hosts = file.cluster.hosts.map(\.name)
        let addresses = hostAddresses(file.cluster.hosts, problems: &problems)
        if hosts.isEmpty { problems.append("the cluster has no hosts") }
        if Set(hosts).count != hosts.count { problems.append("host names repeat") }
        for h in hosts where !isName(h) { problems.append("host name '\(h)' is not a plain name") }

        var serviceNames: Set<String> = []
        var roleNames: Set<String> = []
        var services: [ServiceDefinition] = []
        for s in file.services {
            if !isName(s.name) { problems.append("service name '\(s.name)' is not a plain name") }
            if !serviceNames.insert(s.name).inserted { problems.append("service '\(s.name)' is defined twice") }
            let serviceParams = parameters(s.configurations ?? [], owner: s.name, shift: portShift, problems: &problems)
            var roles: [RoleDefinition] = []
            for r in s.roles {
                if !isName(r.name) { problems.append("role name '\(r.name)' is not a plain name") }
                if !roleNames.insert(r.name).inserted { problems.append("role '\(r.name)' is defined twice") }
                for h in r.hosts where !hosts.contains(h) { problems.append("role \(r.name) is placed on unknown host '\(h)'") }
                if Set(r.hosts).count != r.hosts.count { problems.append("role \(r.name) lists a host twice") }
                let params = parameters(r.configurations ?? [], owner: r.name, shift: portShift, problems: &problems)
                var instanceDefaults: [String: [String: String]] = [:]
                for (host, values) in r.instances ?? [:] {
                    if !r.hosts.contains(host) { problems.append("role \(r.name) sets values for host '\(host)' it is not placed on") }
                    for (name, value) in values {
                        guard let p = params.first(where: { $0.name == name }) else {
                            problems.append("role \(r.name) sets unknown parameter '\(name)' on \(host)")
                            continue
                        }
                        let shifted = shiftValue(value, of: p, by: portShift)
                        if let why = p.validate(shifted) { problems.append("\(r.name)@\(host): \(why)") }
                        instanceDefaults[host, default: [:]][name] = shifted
                    }
                }
                let process = processSpec(r.process, role: r.name, params: params, problems: &problems)
                let files = configFiles(r.configFiles ?? [], role: r.name, directory: directory, problems: &problems)
                roles.append(RoleDefinition(
                    name: r.name, description: r.description ?? "", hosts: r.hosts, process: process,
                    configurations: params, instanceDefaults: instanceDefaults, configFiles: files,
                    restartOnFailure: r.restartOnFailure.map { restartPolicy($0, role: r.name, problems: &problems) }))
            }
            if roles.isEmpty { problems.append("service \(s.name) has no roles") }
            let order = RoleOrder(rawValue: s.roleOrder ?? RoleOrder.sequential.rawValue)
            if order == nil {
                let known = RoleOrder.allCases.map(\.rawValue).joined(separator: " or ")
                problems.append("service \(s.name): role_order '\(s.roleOrder ?? "")' is not \(known)")
            }
            services.append(ServiceDefinition(
                name: s.name, description: s.description ?? "", version: s.version ?? file.version,
                dependsOn: s.dependsOn ?? [], configurations: serviceParams, roles: roles, roleOrder: order ?? .sequential))
        }
        for s in services {
            for d in s.dependsOn where !serviceNames.contains(d) {
                problems.append("service \(s.name) depends on unknown service '\(d)'")
            }
        }
        if let cycle = findCycle(services) { problems.append("dependency cycle: " + cycle.joined(separator: " -> ")) }
        for s in services {
            for r in s.roles {
                for name in r.templateRoles.sorted() where !roleNames.contains(name) {
                    problems.append("role \(r.name): a template names roles.\(name), which is not a role of the stack")
                }
            }
        }
        guard problems.isEmpty else { throw StackError(problems: problems) }
        return Stack(
            name: file.name, version: file.version, description: file.description ?? "", services: services,
            cluster: ClusterLayout(id: file.cluster.id, name: file.cluster.name,
                                   description: file.cluster.description ?? "", hosts: hosts, addresses: addresses))
    }

    static func parameters(_ list: [StackFile.ParameterFile], owner: String, shift: Int, problems: inout [String]) -> [ParameterDefinition] {
        var seen: Set<String> = []
        return list.compactMap { p in
            guard let kind = ParameterDefinition.Kind(rawValue: p.type) else {
                problems.append("\(owner).\(p.name): unknown type '\(p.type)'")
                return nil
            }
            if !seen.insert(p.name).inserted { problems.append("\(owner).\(p.name) is defined twice") }
            if !isName(p.name) { problems.append("\(owner): parameter name '\(p.name)' is not a plain name") }
            if kind == .enumeration, (p.allowed ?? []).isEmpty { problems.append("\(owner).\(p.name): ENUM needs 'allowed'") }
            let unshifted = ParameterDefinition(name: p.name, type: kind, defaultValue: p.default, description: p.description ?? "",
                                                min: p.min, max: p.max, allowed: p.allowed, maxLength: p.maxLength)
            let def = ParameterDefinition(name: p.name, type: kind, defaultValue: shiftValue(p.default, of: unshifted, by: shift),
                                          description: p.description ?? "", min: p.min, max: p.max, allowed: p.allowed,
                                          maxLength: p.maxLength)
            if let why = def.validate(def.defaultValue) { problems.append("\(owner) default: \(why)") }
            return def
        }
    }

    static func shiftValue(_ value: String, of p: ParameterDefinition, by shift: Int) -> String {
        guard shift != 0, p.type == .port, let n = Int(value) else { return value }
        return String(n + shift)
    }

    static func findCycle(_ services: [ServiceDefinition]) -> [String]? {
        let byName = Dictionary(services.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var path: [String] = []
        func visit(_ name: String) -> [String]? {
            if state[name] == 2 { return nil }
            if state[name] == 1 {
                let start = path.firstIndex(of: name) ?? 0
                return Array(path[start...]) + [name]
            }
            state[name] = 1
            path.append(name)
            for dep in byName[name]?.dependsOn ?? [] {
                if let cycle = visit(dep) { return cycle }
            }
            path.removeLast()
            state[name] = 2
            return nil
        }
        for s in services { if let c = visit(s.name) { return c } }
        return nil
    }

    /// Names become path segments (an instance's directory, a URL): never `.`, `..` or a `/`.
    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s != "." && s != ".."
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    static func isFileName(_ s: String) -> Bool { isName(s) }

    static func isEnvironmentName(_ s: String) -> Bool {
        guard let first = s.first, !first.isNumber else { return false }
        return s.count <= 128 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
