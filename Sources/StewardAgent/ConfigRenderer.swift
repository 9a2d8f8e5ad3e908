import Foundation
import Mustache
import StewardAPI
import StewardSystem

/// Renders an instance's effective configuration into its config files and
/// its start command. Files are written whole and readable by the agent's
/// user only from their first byte (`SecretFile`): they may hold secrets.
enum ConfigRenderer {
    static func render(_ format: ConfigFileSpec.Format, values: [String: String]) -> Data {
        switch format {
        case .template:
            // Only through `render(_:values:context:paths:)`: a template needs its text.
            return Data()
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return (try? encoder.encode(values)) ?? Data("{}".utf8)
        case .properties:
            let lines = values.keys.sorted().map { key in "\(key)=\(escape(values[key] ?? ""))" }
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }
    }

    static func render(_ file: ConfigFileSpec, values: [String: String], context: TemplateContext? = nil,
                       paths: [String: String] = [:]) throws -> Data {
        guard file.format == .template else { return render(file.format, values: values) }
        return Data(try template(file.template ?? "", context: context, values: values, paths: paths).utf8)
    }

    static func write(_ file: ConfigFileSpec, values: [String: String], context: TemplateContext? = nil,
                      paths: [String: String] = [:], to path: String) throws {
        let data = try render(file, values: values, context: context, paths: paths)
        try SecretFile.write(Array(data), to: path, durability: .survivesProcessCrash)
    }

    /// Renders Mustache text as plain text (no HTML escaping: these are config
    /// files) over the task's context and the instance's paths on this host.
    static func template(_ text: String, context: TemplateContext?, values: [String: String],
                         paths: [String: String]) throws -> String {
        // The content-type tag shares line 1 with the text, so that a parse error's line number is the file's.
        let parsed = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        return parsed.render(renderable(context, values: values, paths: paths))
    }

    /// The context as Mustache sees it: nested dictionaries and arrays. A
    /// value that is `true` or `false` becomes a boolean, so that
    /// `{{#values.flag}}…{{/values.flag}}` is a condition, as a BOOL parameter means.
    static func renderable(_ context: TemplateContext?, values: [String: String], paths: [String: String]) -> [String: Any] {
        func typed(_ values: [String: String]) -> [String: Any] {
            values.mapValues { v -> Any in
                switch v {
                case "true": return true
                case "false": return false
                default: return v
                }
            }
        }
        var out: [String: Any] = ["values": typed(context?.values ?? values), "paths": paths]
        guard let context else { return out }
        let i = context.instance
        out["instance"] = ["service": i.service, "role": i.role, "host": i.host, "address": i.address, "ordinal": i.ordinal] as [String: Any]
        out["host"] = ["name": context.host.name, "address": context.host.address]
        out["cluster"] = ["id": context.cluster.id, "name": context.cluster.name] as [String: Any]
        out["roles"] = context.roles.mapValues { members in
            members.map { m -> [String: Any] in
                ["host": m.host, "address": m.address, "ordinal": m.ordinal, "values": typed(m.values)]
            }
        }
        return out
    }

    static func read(json path: String) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    /// Replaces `{name}` in each argument by `extra[name]`, else `values[name]`;
    /// unknown placeholders stay as written.
    static func substitute(_ argv: [String], values: [String: String], extra: [String: String]) -> [String] {
        argv.map { arg in
            var out = ""
            var rest = Substring(arg)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                out += rest[..<open]
                let name = String(rest[rest.index(after: open)..<close])
                out += extra[name] ?? values[name] ?? "{\(name)}"
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
    }

    /// Java-properties escaping of the characters that would change a line's meaning.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(c)
            }
        }
        return out
    }
}
