import ArgumentParser
import Foundation
import StewardAgent

/// `steward agent install`: writes a host's agent config file and systemd unit
/// (docs/deploy.md), and with --enable starts it.
struct AgentInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Write this host's agent config file and systemd unit (docs/deploy.md).")

    @Option(help: "The manager's URL, or several managers of one cluster, comma-separated (the agent moves to the next when one stops answering).")
    var manager: String

    @Option(help: "This host's name in the cluster.")
    var host: String

    @Option(help: "This host's address, as the other hosts and the manager reach it.")
    var address: String?

    @Option(help: "Where the agent keeps its credential and its instances.")
    var dataDir = "/var/lib/steward/agent"

    @Option(help: "The file the agent reads the cluster's join token from (0600; may be deleted once the host has joined).")
    var tokenFile = "/etc/steward/agent.token"

    @Option(help: "PEM file of the CAs the manager's certificate must chain to.")
    var caFile: String?

    @Option(help: "The steward binary the unit runs.")
    var binary = "/usr/local/bin/steward"

    @Option(help: "The user the agent (and so its role processes) runs as.")
    var user = "root"

    @Option(help: "Write under this directory instead of / (to build an image, or to look first).")
    var root = "/"

    @Flag(help: "Copy this steward binary to --binary.")
    var copyBinary = false

    @Flag(help: "Replace files that exist.")
    var force = false

    @Flag(help: "Then run systemctl daemon-reload and enable --now steward-agent (only with --root /).")
    var enable = false

    func validate() throws {
        do { _ = try ManagerURLs.parse(manager) } catch {
            throw ValidationError("--manager must be one http:// or https:// URL or several, comma-separated: \(error)")
        }
        guard host.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"#, options: .regularExpression) != nil else {
            throw ValidationError("--host must be 1-63 letters, digits, '.', '_' or '-'")
        }
        for (name, path) in [("--data-dir", dataDir), ("--token-file", tokenFile), ("--binary", binary)] where !path.hasPrefix("/") {
            throw ValidationError("\(name) must be an absolute path")
        }
        if enable && root != "/" { throw ValidationError("--enable works only with --root /") }
    }

    func run() throws {
        var installation = AgentInstallation(config: AgentConfigFile(
            manager: manager, host: host, address: address, dataDir: dataDir, tokenFile: tokenFile, caFile: caFile))
        installation.binary = binary
        installation.user = user
        if copyBinary { try copyOwnBinary() }
        for path in try installation.write(root: root, force: force) { print("wrote \(path)") }
        let token = AgentInstallation.path(tokenFile, under: root)
        if !FileManager.default.fileExists(atPath: token) {
            print("next: copy the cluster's join token (the manager's <data-dir>/agent.token, or `steward agents rotate-token`) to \(token), mode 0600")
        }
        if enable { try systemctl(["daemon-reload"]); try systemctl(["enable", "--now", "steward-agent"]) }
        else { print("then: systemctl daemon-reload && systemctl enable --now steward-agent") }
    }

    private func copyOwnBinary() throws {
        let target = AgentInstallation.path(binary, under: root)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target) {
            guard force else { throw ValidationError("\(target) exists; give --force to replace it") }
            try FileManager.default.removeItem(atPath: target)
        }
        try FileManager.default.copyItem(atPath: ProcessInfo.processInfo.arguments[0].resolvedExecutable, toPath: target)
        print("wrote \(target)")
    }

    private func systemctl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["systemctl"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("systemctl \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))")
        }
    }
}

private extension String {
    /// argv[0] as a path: /proc/self/exe when it was found through PATH.
    var resolvedExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? self
    }
}
