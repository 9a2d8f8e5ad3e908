import ArgumentParser

@main
struct Steward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "A cluster manager: services on hosts, changed by asynchronous commands you can follow.",
        version: "0.1.0",
        subcommands: [
            ManagerCommand.self, AgentCommand.self, DemoCommand.self,
            LoginCommand.self, ClustersCommand.self, HostsCommand.self, ServicesCommand.self, InstancesCommand.self,
            ConfigCommand.self, ServiceCommand.self, CommandCommand.self, UserCommand.self, AuditCommand.self,
            AgentsCommand.self,
            OpenAPICommand.self, RoleCommand.self,
        ])
}
