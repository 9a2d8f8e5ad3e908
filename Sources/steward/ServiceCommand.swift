#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward service start|stop|restart NAME`.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Start, stop, restart or rolling-restart a service.", subcommands: [Start.self, Stop.self, Restart.self, ServiceRollingRestart.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a service (and, without --only-self, what it depends on).")
        @OptionGroup var action: ServiceAction
        func run() async throws { try await action.run(.start) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a service (and, without --only-self, what depends on it).")
        @OptionGroup var action: ServiceAction
        func run() async throws { try await action.run(.stop) }
    }

    struct Restart: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a service (and, without --only-self, what depends on it).")
        @OptionGroup var action: ServiceAction
        func run() async throws { try await action.run(.restart) }
    }
}

struct ServiceAction: ParsableArguments {
    @OptionGroup var client: ClientOptions
    @Argument(help: "The service.") var name: String
    @Flag(help: "Only this service, not the ones it depends on (start) or that depend on it (stop, restart).") var onlySelf = false
    @Flag(help: "Wait for the command to end, drawing its progress; exit 0 on COMPLETE, 2 on FAILED.") var wait = false
    @OptionGroup var idempotency: IdempotencyOption

    func run(_ action: StewardClient.ServiceAction) async throws {
        let key = idempotency.key()
        try await submit(client, wait: wait) { api, cluster in
            try await api.submit(action, service: name, onlySelf: onlySelf, cluster: cluster, idempotencyKey: key)
        }
    }
}

/// Creates a command on the client's cluster (refusals reported), then follows it.
func submit(_ client: ClientOptions, wait: Bool,
            _ create: (StewardClient, _ cluster: Int) async throws -> Envelope<NoResult>) async throws {
    try await reportingRefusals {
        try await client.run { api in
            let command = try await create(api, try await client.clusterId(api))
            try await follow(command.id, api: api, client: client, wait: wait)
        }
    }
}

/// After a command was created: its id (and, with --wait, its progress to the end).
func follow(_ id: Int64, api: StewardClient, client: ClientOptions, wait: Bool) async throws {
    guard wait else {
        let now = try await api.command(id)
        try client.output(now) { "command \(id): \(now.state.rawValue) \(now.totalProgress)%\n" }
        return
    }
    try await watch(id, api: api, client: client)
}

/// Follows a command's event stream to its end; a FAILED end throws `CommandFailed`
/// with each failed entity and the tail of its output.
func watch(_ id: Int64, api: StewardClient, client: ClientOptions) async throws {
    var printer = ProgressPrinter(terminal: !client.json && isatty(STDOUT_FILENO) == 1)
    var last: Envelope<ProgressDocument>?
    for try await doc in api.events(for: id) {
        last = doc
        if !client.json {
            // Unbuffered: a watcher must see each change as it happens.
            FileHandle.standardOutput.write(Data(printer.update(doc).utf8))
        }
    }
    guard let end = last else { throw Refusal(status: 0, code: -1, message: "the event stream of command \(id) ended with no document") }
    if client.json { try client.output(end) { "" } }
    guard end.state == .failed else { return }
    var report = "command \(id) FAILED: error \(end.errorCode): \(end.errorDescription.printable)\n"
    for (index, step) in (end.resObj?.stepList ?? []).enumerated() {
        // The document lists a step's failed tasks first, up to its task limit; the rest are counted.
        let failed = step.tasks.filter { $0.state == .failed }
        for task in failed {
            report += "  \(task.instance.printable) \(task.operation.rawValue): \(task.detail.printable)\n"
            let output = try? await api.output(command: id, task: task.id).output
            for line in (output ?? task.outputTail ?? "").split(separator: "\n").suffix(10) { report += "    | \(String(line).printable)\n" }
        }
        if step.taskStates.failed > failed.count {
            report += "  … \(step.taskStates.failed - failed.count) more failed (steward command tasks \(id) \(index) --state FAILED)\n"
        }
    }
    throw CommandFailed(report: report)
}
