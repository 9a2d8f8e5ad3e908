import ArgumentParser
import StewardAPI
import StewardClient

/// `steward service rolling-restart NAME`: the service's running instances
/// restarted a batch at a time, each batch once the one before is healthy again.
struct ServiceRollingRestart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rolling-restart",
        abstract: "Restart a service's running instances a batch at a time, each batch once the one before is healthy again.")

    @OptionGroup var client: ClientOptions
    @Argument(help: "The service.") var name: String
    @Option(help: "Instances restarted together (1 or more).") var batchSize: Int?
    @Option(help: "Seconds to wait after a batch before the next (0-3600).") var pauseSeconds: Int?
    @Option(help: "Failed instances borne before the command fails and stops (0 or more).") var failureTolerance: Int?
    @Flag(help: "Wait for the command to end, drawing its progress; exit 0 on COMPLETE, 2 on FAILED.") var wait = false
    @OptionGroup var idempotency: IdempotencyOption

    func run() async throws {
        let request = RollingRestartRequest(batchSize: batchSize, pauseSeconds: pauseSeconds, failureTolerance: failureTolerance)
        let key = idempotency.key()
        try await reportingRefusals {
            try await client.run { api in
                let command = try await api.submitRollingRestart(name, request, cluster: try await client.clusterId(api),
                                                                 idempotencyKey: key)
                try await follow(command.id, api: api, client: client, wait: wait)
            }
        }
    }
}
