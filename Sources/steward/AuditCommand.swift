import ArgumentParser
import Foundation
import StewardClient
import StewardEngine

/// `steward audit`: the audit log, newest first (admin only).
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Read the audit log (admin only).")
    @OptionGroup var client: ClientOptions
    @Option(help: "Only the entries of this user.") var byUser: String?
    @Option(help: "Only this action, e.g. SERVICE_START, LOGIN, USER_CREATE.") var action: String?
    @Option(help: "SUCCESS or FAILURE.") var result: String?
    @Option(help: "Only entries of the last N minutes.") var sinceMinutes: Int?
    @Option(help: "At most this many entries (1-1000).") var limit: Int = 50

    struct Entries: Codable, Sendable {
        let entries: [Entry]
    }

    struct Entry: Codable, Sendable {
        let at: Int64
        let user: String
        let source: String
        let action: String
        let target: String
        let result: String
        let http_status: Int
        let command_id: Int64?
    }

    func run() async throws {
        var query = ["limit=\(limit)"]
        if let byUser { query.append("user=\(byUser.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
        if let action { query.append("action=\(action)") }
        if let result { query.append("result=\(result)") }
        if let sinceMinutes { query.append("from=\(Int64(Date().timeIntervalSince1970 * 1000) - Int64(sinceMinutes) * 60_000)") }
        try await reportingRefusals {
            try await client.run { api in
                let entries = try await api.get("/web/v1/audit?" + query.joined(separator: "&"), as: Entries.self).result()?.entries ?? []
                if client.json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(entries), as: UTF8.self))
                    return
                }
                let format = ISO8601DateFormatter()
                for e in entries {
                    let time = format.string(from: Date(timeIntervalSince1970: Double(e.at) / 1000))
                    let command = e.command_id.map { " command=\($0)" } ?? ""
                    print("\(time) \(e.result.padding(toLength: 7, withPad: " ", startingAt: 0)) \(e.user.isEmpty ? "-" : e.user) "
                          + "from \(e.source) \(e.action) \(e.target) (HTTP \(e.http_status))\(command)")
                }
            }
        }
    }
}
