import Foundation
import StewardAPI
import StewardSystem

/// Renders an instance's effective configuration into its config files and
/// its start command. Files are written whole and readable by the agent's
/// user only from their first byte (`SecretFile`): they may hold secrets.
enum ConfigRenderer {
    static func render(_ format: ConfigFileSpec.Format, values: [String: String]) -> Data {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return (try? encoder.encode(values)) ?? Data("{}".utf8)
        case .properties:
            let lines = values.keys.sorted().map { key in "\(key)=\(escape(values[key] ?? ""))" }
            return Data((lines.joined(separator: "\n") + "\n").utf8)
        }
    }

    static func write(_ file: ConfigFileSpec, values: [String: String], to path: String) throws {
        try SecretFile.write(Array(render(file.format, values: values)), to: path, durability: .survivesProcessCrash)
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
