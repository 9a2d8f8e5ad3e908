import ArgumentParser
import Foundation
import StewardAPI
import StewardClient

/// `steward instances [list|add ROLE HOST|remove NAME]`.
struct InstancesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instances", abstract: "List role instances with their status; add or remove one.",
        subcommands: [List.self, Add.self, Remove.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List role instances with their status (the default).")
        @OptionGroup var client: ClientOptions
        @Option(help: "Only this service's instances.") var service: String?

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let list = try await api.instances(service: service, cluster: try await client.clusterId(api))
                    try client.output(list) {
                        list.map { i in
                            let pid = i.pid.map { "pid \($0)" } ?? ""
                            let stale = i.configStale ? "  (configuration changed: restart to apply)" : ""
                            let ordinal = i.ordinal.map { "#\($0)" } ?? ""
                            return "\(i.name.printable.column(28)) \(ordinal.column(4)) \(i.operationalStatus.rawValue.column(9)) "
                                + "\(i.healthStatus.rawValue.column(8)) port \((i.configurations["port"] ?? "-").printable)  \(pid)\(stale)\n"
                        }.joined()
                    }
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Place an instance of a role on a host, and start it (unless --no-start).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The role, e.g. QuorumPeer.") var role: String
        @Argument(help: "The host.") var host: String
        @Flag(help: "Only place it; start it later with its service.") var noStart = false
        @Flag(help: "Wait for the command to end, drawing its progress; exit 0 on COMPLETE, 2 on FAILED.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            let key = idempotency.key()
            try await submit(client, wait: wait) { api, cluster in
                try await api.addInstance(role: role, host: host, start: !noStart, cluster: cluster, idempotencyKey: key)
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Stop an instance and delete it from its host (its directory too).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The instance, Role@host.") var name: String
        @Flag(help: "Wait for the command to end, drawing its progress; exit 0 on COMPLETE, 2 on FAILED.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            let key = idempotency.key()
            try await submit(client, wait: wait) { api, cluster in try await api.removeInstance(name, cluster: cluster, idempotencyKey: key) }
        }
    }
}
