import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StewardAgent

/// `steward agent`: runs the agent (the default) or installs it as a service.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run the agent of one host, or install it as a systemd service.",
        subcommands: [AgentRunCommand.self, AgentInstallCommand.self], defaultSubcommand: AgentRunCommand.self)
}

struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the agent of one host: it dials out to the manager and runs its tasks.")

    @Option(help: "Agent config file (JSON: manager, host, address, data_dir, token_file, ca_file, log_level); options given here win over it.")
    var config: String?

    @Option(help: "The manager's URL, e.g. http://127.0.0.1:9443, or several managers of one cluster separated by commas: the agent talks to one and moves to the next when it stops answering.")
    var manager: String?

    @Option(help: "This host's name in the cluster.")
    var host: String?

    @Option(help: "This host's IPv4 address (default 127.0.0.1): shown as its ip, seen by templates ({{host.address}}), used by health checks.")
    var address: String?

    @Option(help: "Directory for the instances' conf files, pid files and logs.")
    var dataDir: String?

    @Option(help: "File holding the cluster's join token (else STEWARD_AGENT_TOKEN); needed until the host has joined and kept its own credential in --data-dir.")
    var tokenFile: String?

    @Option(help: "PEM file of the CAs that the manager's certificate must chain to (for an https --manager).")
    var caFile: String?

    @Flag(help: "Stop the role processes when the agent exits (by default they keep running).")
    var stopInstancesOnExit = false

    @Option(help: "Log level (default info).")
    var logLevel: Logger.Level?

    func run() async throws {
        let file = try config.map(AgentConfigFile.load) ?? AgentConfigFile()
        guard let manager = manager ?? file.manager else { throw ValidationError("give the manager's URL with --manager or in --config") }
        let managers: [String]
        do { managers = try ManagerURLs.parse(manager) } catch { throw ValidationError("--manager: \(error)") }
        guard let host = host ?? file.host else { throw ValidationError("give this host's name with --host or in --config") }
        let level = try logLevel ?? file.logLevel.map { name in
            guard let level = Logger.Level(rawValue: name) else { throw ValidationError("unknown log_level '\(name)' in \(config ?? "")") }
            return level
        } ?? .info
        let logger = LogSetup.logger("steward.agent.\(host)", level: level)
        let dataDirectory = dataDir ?? file.dataDir ?? "steward-data/\(host)"
        var options = AgentOptions(managerURLs: managers, host: host, dataDirectory: dataDirectory,
                                   token: try joinToken(file.tokenFile))
        // The join token is needed only for the first join: afterwards the host's own credential is used.
        if options.token.isEmpty, !FileManager.default.fileExists(atPath: options.credentialPath) {
            throw ValidationError("give the agent token with --token-file or STEWARD_AGENT_TOKEN (needed until the host has joined)")
        }
        let address = address ?? file.address ?? "127.0.0.1"
        var parsed = in_addr()
        guard inet_pton(AF_INET, address, &parsed) == 1 else {
            throw ValidationError("the address must be an IPv4 address such as 127.0.1.1, not '\(address)'")
        }
        options.address = address
        options.stopInstancesOnExit = stopInstancesOnExit || file.stopInstancesOnExit == true
        options.caFile = caFile ?? file.caFile
        let agent = Agent(options: options, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [AgentService(agent: agent)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await agent.shutdown()
    }

    /// The join token: from --token-file, else the config file's token_file, else
    /// STEWARD_AGENT_TOKEN. A token file named only by the config file may be gone
    /// once the host has joined (operators delete it then); that is not an error.
    private func joinToken(_ fromConfig: String?) throws -> String {
        if let tokenFile {
            return try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let fromConfig, let text = try? String(contentsOfFile: fromConfig, encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ProcessInfo.processInfo.environment["STEWARD_AGENT_TOKEN"] ?? ""
    }
}

struct AgentService: Service {
    let agent: Agent
    func run() async throws {
        await cancelWhenGracefulShutdown { await agent.run() }
    }
}
