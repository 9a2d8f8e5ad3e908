import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// Reads of the cluster: clusters, services (hosts and instances have files of their own).
struct ClustersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clusters", abstract: "List the clusters.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await reportingRefusals {
            try await client.run { api in
                let list = try await api.clusters()
                try client.output(list) { list.map { "\($0.id)  \($0.name)  \($0.stack)  \($0.description)\n" }.joined() }
            }
        }
    }
}

struct ServicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "services", abstract: "List the services with their status.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await reportingRefusals {
            try await client.run { api in
                let services = try await api.services(cluster: try await client.clusterId(api))
                try client.output(services) {
                    services.map { s in
                        let running = s.runningCommand.map { "  (command \($0) running)" } ?? ""
                        return "\(s.name.column(14)) \(s.operationalStatus.rawValue.column(18)) \(s.healthStatus.rawValue)\(running)\n"
                    }.joined()
                }
            }
        }
    }
}

/// `steward config show|set` (and `versions|version|rollback`, in ConfigVersionsCommand.swift).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show or set configuration; list its versions, roll back to one.",
        subcommands: [Show.self, Set.self, Versions.self, Version.self, Rollback.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a service's parameters at every level.")
        @OptionGroup var client: ClientOptions
        @Argument var service: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let params = try await api.configurations(of: service, cluster: try await client.clusterId(api)).parameters
                    try client.output(params) {
                        params.map { p in
                            let at = [p.roleName, p.hostName].compactMap { $0 }.joined(separator: "@")
                            return "\(p.level.column(9)) \(at.column(26)) \(p.name.printable)=\(p.value.printable)   "
                                + "(\(p.type.printable), \(p.itemConf.printable), default \(p.defaultValue.printable))\n"
                        }.joined()
                    }
                }
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set NAME=VALUE at service level, or --role level, or --role --host instance level.")
        @OptionGroup var client: ClientOptions
        @Argument var service: String
        @Argument(help: "NAME=VALUE, one or more.") var values: [String]
        @Option var role: String?
        @Option var host: String?
        @Flag(help: "Restart the running instances the change affects.") var restart = false
        @Flag(help: "Wait for the command to end, drawing its progress.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            var items: [SaveConfigurationRequest.Item] = []
            for pair in values {
                guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("'\(pair)' is not NAME=VALUE") }
                items.append(.init(name: String(pair[..<eq]), value: String(pair[pair.index(after: eq)...])))
            }
            if host != nil && role == nil { throw ValidationError("--host needs --role") }
            let component: SaveConfigurationRequest.Component
            if let role, let host {
                component = .init(componentName: service, children: [.init(roleName: role, children: [.init(hostName: host, configurations: items)])])
            } else if let role {
                component = .init(componentName: service, children: [.init(roleName: role, configurations: items)])
            } else {
                component = .init(componentName: service, configurations: items)
            }
            let request = SaveConfigurationRequest(restartAffectedComponents: restart, components: [component])
            let key = idempotency.key()
            try await submit(client, wait: wait) { api, cluster in try await api.save(request, cluster: cluster, idempotencyKey: key) }
        }
    }
}
