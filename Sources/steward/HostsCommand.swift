import ArgumentParser
import Foundation
import StewardAPI
import StewardClient

/// `steward hosts [list|decommission HOST|forget HOST]`.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts", abstract: "List the hosts and their agents; decommission or forget a host.",
        subcommands: [List.self, Decommission.self, Forget.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the hosts and their agents (the default).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let hosts = try await api.hosts(cluster: try await client.clusterId(api))
                    try client.output(hosts) {
                        hosts.map { h in
                            let facts = [h.cores.map { "\($0) cores" }, h.memoryMib.map { "\($0) MiB" }, h.os?.printable]
                                .compactMap { $0 }.joined(separator: ", ")
                            return "\(h.hostName.printable.column(12)) \((h.ip ?? "-").printable.column(15)) \(h.status.rawValue.column(10)) "
                                + "\(h.state.rawValue.column(15)) \(h.agentState.rawValue.column(8)) \(h.instances.joined(separator: ", ").printable)"
                                + (facts.isEmpty ? "" : "\n\(String().column(12)) \(facts)") + "\n"
                        }.joined()
                    }
                }
            }
        }
    }

    struct Decommission: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "decommission", abstract: "Stop and remove every instance on a host, then mark it DECOMMISSIONED.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The host.") var host: String
        @Flag(help: "Wait for the command to end, drawing its progress; exit 0 on COMPLETE, 2 on FAILED.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            let key = idempotency.key()
            try await submit(client, wait: wait) { api, cluster in try await api.decommission(host: host, cluster: cluster, idempotencyKey: key) }
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "forget", abstract: "Forget a host that has no instances, revoking its agent's credential.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The host.") var host: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    try await api.forget(host: host, cluster: try await client.clusterId(api))
                    try client.output(NoResult()) { "host \(host.printable) forgotten\n" }
                }
            }
        }
    }
}
