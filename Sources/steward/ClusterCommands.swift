import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// Reads of the cluster: clusters, hosts, services, instances.
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

struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hosts", abstract: "List the hosts and their agents.")
    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await reportingRefusals {
            try await client.run { api in
                let hosts = try await api.hosts(cluster: try await client.clusterId(api))
                try client.output(hosts) {
                    hosts.map { "\($0.hostName.column(12)) \($0.status.rawValue.column(10)) \($0.agentState.rawValue.column(8)) \($0.instances.joined(separator: ", ").printable)\n" }.joined()
                }
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

struct InstancesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "instances", abstract: "List role instances with their status.")
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
                        return "\(i.name.column(28)) \(i.operationalStatus.rawValue.column(9)) \(i.healthStatus.rawValue.column(8)) port \((i.configurations["port"] ?? "-").printable)  \(pid)\(stale)\n"
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
            try await reportingRefusals {
                try await client.run { api in
                    let request = SaveConfigurationRequest(restartAffectedComponents: restart, components: [component])
                    let command = try await api.save(request, cluster: try await client.clusterId(api))
                    try await follow(command.id, api: api, client: client, wait: wait)
                }
            }
        }
    }
}
