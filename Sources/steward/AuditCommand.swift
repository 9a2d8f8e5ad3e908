import ArgumentParser
import Foundation
import StewardClient
import StewardAPI

/// `steward audit`: the audit log, newest first (admin only).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the audit log (admin only).")
    @OptionGroup var client: ClientOptions
    @Option(help: "Only the entries of this user.") var byUser: String?
    @Option(help: "Only this action, e.g. SERVICE_START, LOGIN, USER_CREATE.") var action: String?
    @Option(help: "SUCCESS or FAILURE.") var result: AuditResult?
    @Option(help: "Only entries of the last N minutes.") var sinceMinutes: Int?
    @Option(help: "At most this many entries (1-1000).") var limit: Int = 50

    func run() async throws {
        var filter = AuditFilter()
        filter.limit = limit
        filter.user = byUser
        filter.action = action
        filter.result = result
        filter.from = sinceMinutes.map { Int64(Date().timeIntervalSince1970 * 1000) - Int64($0) * 60_000 }
        try await reportingRefusals {
            try await client.run { api in
                let entries = try await api.audit(filter)
                if client.json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    return
                }
                let format = ISO8601DateFormatter()
                for e in entries {
                    let time = format.string(from: Date(timeIntervalSince1970: Double(e.at) / 1000))
                    let command = (e.commandId.map { " command=\($0)" } ?? "")
                        + (e.count > 1 ? " x\(e.count) within a minute" : "")
                    // Every field came from someone else: escaped, so that none can forge or hide a line.
                    print("\(time) \(e.result.rawValue.column(7)) \(e.user.isEmpty ? "-" : e.user.printable) "
                          + "from \(e.source.printable) \(e.action.printable) \(e.target.printable) "
                          + "(HTTP \(e.httpStatus))\(command)")
                }
            }
        }
    }
}
