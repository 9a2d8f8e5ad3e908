import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward config versions|version|rollback`: the versions every save makes,
/// what each changed (old -> new; a PASSWORD only "changed"), and a rollback to one.
extension ConfigCommand {
    struct Versions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "versions", abstract: "List configuration versions, newest first, with what each changed.")
        @OptionGroup var client: ClientOptions
        @Option(help: "Skip this many of the newest.") var offset: Int?
        @Option(help: "At most this many (1-200, default 20).") var limit: Int?

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let list = try await api.configVersions(offset: offset, limit: limit, cluster: try await client.clusterId(api))
                    try client.output(list) {
                        var text = list.versions.map { v in
                            let shown = v.changes.prefix(5).map { "    " + ConfigCommand.line($0) + "\n" }.joined()
                            let more = v.changes.count > 5 ? "    … and \(v.changes.count - 5) more\n" : ""
                            return ConfigCommand.header(v) + shown + more
                        }.joined()
                        text += "\(list.versions.count) of \(list.total) version(s)\n"
                        return text
                    }
                }
            }
        }
    }

    struct Version: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "version", abstract: "Show a configuration version: what it changed from the one before, and its values.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The version number.") var number: Int

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let v = try await api.configVersion(number, cluster: try await client.clusterId(api))
                    try client.output(v) {
                        let summary = ConfigVersionSummary(version: v.version, user: v.user, createTime: v.createTime,
                                                           commandId: v.commandId, description: v.description, changes: v.changes)
                        var text = ConfigCommand.header(summary)
                        text += v.changes.isEmpty ? (v.version == 1 ? "  the first version: nothing before it\n" : "  changed nothing\n") : "  changed:\n"
                        text += v.changes.map { "    " + ConfigCommand.line($0) + "\n" }.joined()
                        text += "  values:\n"
                        text += v.values.map { "    \(ConfigCommand.place($0.serviceName, $0.roleName, $0.hostName)) \($0.name.printable)=\($0.value.printable)\n" }.joined()
                        return text
                    }
                }
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollback", abstract: "Save again the values of a version (only what differs now), as a new command.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The version to roll back to.") var number: Int
        @Flag(help: "Restart the running instances the rollback affects.") var restart = false
        @Flag(help: "Wait for the command to end, drawing its progress.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            let key = idempotency.key()
            try await reportingRefusals {
                try await client.run { api in
                    let command = try await api.rollback(to: number, restart: restart, cluster: try await client.clusterId(api),
                                                         idempotencyKey: key)
                    try await follow(command.id, api: api, client: client, wait: wait)
                }
            }
        }
    }

    static func header(_ v: ConfigVersionSummary) -> String {
        let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(v.createTime) / 1000))
        let command = v.commandId.map { "command \($0)" } ?? "-"
        return "version \(String(v.version).column(5)) \(time.column(21)) \(v.user.column(12)) \(command.column(13)) \(v.description.printable)\n"
    }

    /// "Gateway/GatewayServer@host-3 port: 21300 -> 21301"; a value set or unset shows "(unset)".
    static func line(_ c: ConfigVersionChange) -> String {
        let what = c.secret ? "changed (a password, not shown)"
            : "\((c.oldValue ?? "(unset)").printable) -> \((c.newValue ?? "(unset)").printable)"
        return "\(place(c.serviceName, c.roleName, c.hostName)) \(c.name.printable): \(what)"
    }

    static func place(_ service: String, _ role: String?, _ host: String?) -> String {
        (service + (role.map { "/" + $0 } ?? "") + (host.map { "@" + $0 } ?? "")).printable
    }
}
