import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward command show|tasks|watch|list|abort|retry`.
struct CommandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "command", abstract: "Follow, list, abort and retry commands.",
        subcommands: [Show.self, Tasks.self, Watch.self, List.self, Abort.self, Retry.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A command's steps, tasks and state.")
        @OptionGroup var client: ClientOptions
        @Argument var id: Int64

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let doc = try await api.command(id)
                    try client.output(doc) {
                        var text = "command \(doc.id) \(doc.resObj?.commandKind.rawValue ?? "") \(doc.resObj?.serviceName ?? "") by \(doc.resObj?.user ?? ""): \(doc.state.rawValue) \(doc.totalProgress)%\n"
                        if doc.errorCode != 0 { text += "  error \(doc.errorCode): \(doc.errorDescription)\n" }
                        for (index, step) in (doc.resObj?.stepList ?? []).enumerated() {
                            text += "  \(ProgressPrinter.mark(step.state)) \(step.name.printable): \(step.state.rawValue) \(step.progress)%"
                                + "  \(ProgressPrinter.counts(step))\n"
                            text += ProgressPrinter.taskLines(step, index: index, command: id)
                        }
                        return text
                    }
                }
            }
        }
    }

    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One page of a step's tasks, in id order: all of a big step, which `show` lists only in part.")
        @OptionGroup var client: ClientOptions
        @Argument var id: Int64
        @Argument(help: "The step, numbered from 0 as `show` lists them.") var step: Int
        @Option(help: "PENDING, RUNNING, SUCCEEDED, FAILED or SKIPPED.") var state: ExecutionState?
        @Option var limit: Int = StepTaskPage.defaultLimit
        @Option var offset: Int = 0

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let page = try await api.stepTasks(command: id, step: step, state: state, offset: offset, limit: limit)
                    try client.output(page) {
                        let rows = page.tasks.map { t in
                            "\(String(t.id).column(8)) \(t.instance.column(32)) \(t.state.rawValue.column(10)) \(t.detail.printable)\n"
                        }
                        return rows.joined() + "(\(offset + 1)-\(offset + rows.count) of \(page.total))\n"
                    }
                }
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "watch", abstract: "Follow a command to its end; exit 0 on COMPLETE, 2 on FAILED.")
        @OptionGroup var client: ClientOptions
        @Argument var id: Int64

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in try await watch(id, api: api, client: client) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The command history, newest first.")
        @OptionGroup var client: ClientOptions
        @Option(help: "IN_PROGRESS, COMPLETE or FAILED.") var state: CommandState?
        @Option(help: "START_SERVICE, STOP_SERVICE, RESTART_SERVICE, SAVE_CONFIGURATION or RESTART_INSTANCE (the manager's restarts after a failure).") var kind: CommandKind?
        @Option(help: "Only commands touching this service.") var service: String?
        @Option(help: "Only this user's commands.") var byUser: String?
        @Option(help: "Only commands of the last N minutes.") var sinceMinutes: Int?
        @Option var limit: Int = 20
        @Option var offset: Int = 0

        func run() async throws {
            var filter = CommandFilter()
            (filter.limit, filter.offset) = (limit, offset)
            (filter.state, filter.kind, filter.service, filter.user) = (state, kind, service, byUser)
            filter.from = sinceMinutes.map { Int64(Date().timeIntervalSince1970 * 1000) - Int64($0) * 60_000 }
            try await reportingRefusals {
                try await client.run { api in
                    let page = try await api.commands(filter)
                    try client.output(page) {
                        let rows = page.commands.map { c in
                            "\(String(c.id).column(6)) \(c.state.rawValue.column(12)) \(String(c.totalProgress).column(4))% "
                                + "\(c.kind.rawValue.column(19)) \(c.target.column(14)) \(c.user.printable)\n"
                        }
                        return rows.joined() + "(\(rows.count) of \(page.total))\n"
                    }
                }
            }
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "abort", abstract: "Abort a running command; its processes are stopped for real.")
        @OptionGroup var client: ClientOptions
        @Argument var id: Int64

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let aborted = try await api.abort(id)
                    try client.output(aborted) { "command \(id) aborted: \(aborted.errorDescription.printable)\n" }
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Run again only the failed tasks of a FAILED command.")
        @OptionGroup var client: ClientOptions
        @Argument var id: Int64
        @Flag(help: "Wait for the new command to end, drawing its progress.") var wait = false
        @OptionGroup var idempotency: IdempotencyOption

        func run() async throws {
            let key = idempotency.key()
            try await reportingRefusals {
                try await client.run { api in
                    let retry = try await api.retry(id, idempotencyKey: key)
                    if !client.json && !wait { print("command \(retry.id) retries the failed tasks of command \(id)") }
                    try await follow(retry.id, api: api, client: client, wait: wait)
                }
            }
        }
    }
}
