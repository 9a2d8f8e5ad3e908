import ArgumentParser
import Foundation
import Logging
import StewardRole

struct RoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "role", abstract: "Run a demo role process (started by an agent).", shouldDisplay: false)

    @Option(help: "The config file the agent rendered (JSON).")
    var config: String

    func run() async throws {
        do {
            try await RoleProcess.run(configPath: config, logger: LogSetup.logger("steward.role", level: .warning))
        } catch let failure as RoleProcess.Failure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
