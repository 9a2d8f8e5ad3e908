import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import StewardAgent

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Run the agent of one host: it dials out to the manager and runs its tasks.")

    @Option(help: "The manager's URL, e.g. http://127.0.0.1:9443.")
    var manager: String

    @Option(help: "This host's name in the cluster.")
    var host: String

    @Option(help: "Directory for the instances' conf files, pid files and logs.")
    var dataDir: String?

    @Option(help: "File holding the cluster's join token (else STEWARD_AGENT_TOKEN); needed until the host has joined and kept its own credential in --data-dir.")
    var tokenFile: String?

    @Option(help: "PEM file of the CAs that the manager's certificate must chain to (for an https --manager).")
    var caFile: String?

    @Option(help: "This host's address: where its role processes listen and its health checks look.")
    var address = "127.0.0.1"

    @Flag(help: "Stop the role processes when the agent exits (by default they keep running).")
    var stopInstancesOnExit = false

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = LogSetup.logger("steward.agent.\(host)", level: logLevel)
        let token: String
        if let tokenFile {
            token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let env = ProcessInfo.processInfo.environment["STEWARD_AGENT_TOKEN"] {
            token = env
        } else {
            token = ""
        }
        var options = AgentOptions(managerURL: manager, host: host, dataDirectory: dataDir ?? "steward-data/\(host)", token: token)
        // The join token is needed only for the first join: afterwards the host's own credential is used.
        if token.isEmpty, !FileManager.default.fileExists(atPath: options.credentialPath) {
            throw ValidationError("give the agent token with --token-file or STEWARD_AGENT_TOKEN (needed until the host has joined)")
        }
        options.stopInstancesOnExit = stopInstancesOnExit
        options.caFile = caFile
        options.address = address
        let agent = Agent(options: options, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [AgentService(agent: agent)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await agent.shutdown()
    }
}

struct AgentService: Service {
    let agent: Agent
    func run() async throws {
        await cancelWhenGracefulShutdown { await agent.run() }
    }
}
