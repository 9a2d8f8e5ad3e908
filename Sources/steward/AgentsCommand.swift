import ArgumentParser
import Foundation
import StewardAPI
import StewardClient

/// `steward agents ...`: the hosts' agent credentials and the join token, for admins.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "Manage the hosts' agent credentials and the join token (admin only).",
        subcommands: [List.self, Approve.self, Revoke.self, RotateToken.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the hosts issued a credential: state, when issued, last used, revoked (never the secret).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let credentials = try await api.agentCredentials(cluster: try await client.clusterId(api))
                    try client.output(credentials) {
                        (["HOST         STATE    ISSUED                   LAST-USED                REVOKED"]
                         + credentials.map(AgentsCommand.line)).joined(separator: "\n") + "\n"
                    }
                }
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "Let a PENDING host in (a manager run with --approve-new-hosts holds first joins).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The host's name.") var host: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let view = try await api.approveAgentCredential(host: host, cluster: try await client.clusterId(api))
                    try client.output(view) { "host \(host) approved: \(view.state.rawValue)\n" }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a host's credential: its agent is refused at once. The join token may then join the host again.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The host's name.") var host: String

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let view = try await api.revokeAgentCredential(host: host, cluster: try await client.clusterId(api))
                    try client.output(view) { "host \(host): credential \(view.state.rawValue)\n" }
                }
            }
        }
    }

    struct RotateToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-token",
            abstract: "Replace the join token: the old one joins no host from now on. The new one is printed once "
                + "and written to agent.token in the manager's data directory.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await reportingRefusals {
                try await client.run { api in
                    let token = try await api.rotateAgentToken(cluster: try await client.clusterId(api))
                    try client.output(RotatedAgentToken(token: token)) { "new join token (shown once): \(token.printable)\n" }
                }
            }
        }
    }

    static func line(_ c: AgentCredentialView) -> String {
        func time(_ ms: Millis?) -> String {
            guard let ms else { return "-" }
            return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }
        return [c.hostName.column(12), c.state.rawValue.column(8),
                time(c.issuedAt).column(24),
                time(c.lastUsedAt).column(24), time(c.revokedAt)].joined(separator: " ")
    }
}
