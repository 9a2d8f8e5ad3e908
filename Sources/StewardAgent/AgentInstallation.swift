import Foundation
import StewardSystem

/// What `steward agent install` puts on a host: the agent's config file and a
/// systemd unit that runs `steward agent --config` from it. docs/deploy.md
/// explains each choice; the unit's comments repeat the ones that matter.
public struct AgentInstallation: Sendable {
    public var config: AgentConfigFile
    /// Where the agent's config file goes (on the host, not under `root`).
    public var configPath = "/etc/steward/agent.json"
    public var unitPath = "/etc/systemd/system/steward-agent.service"
    /// The binary the unit runs.
    public var binary = "/usr/local/bin/steward"
    /// The user the agent runs as; its role processes run as that user too.
    public var user = "root"

    public init(config: AgentConfigFile) {
        self.config = config
    }

    public struct File: Sendable, Equatable {
        public let path: String
        public let contents: String
        public let mode: mode_t
    }

    public var files: [File] {
        [
            // 0600: it names the token file and the manager; the token itself is in its own 0600 file.
            File(path: configPath, contents: String(decoding: config.encoded(), as: UTF8.self), mode: 0o600),
            File(path: unitPath, contents: unit, mode: 0o644),
        ]
    }

    public var unit: String {
        let host = config.host ?? "this host"
        let userLine = user == "root" ? "" : "User=\(user)\n"
        return """
        [Unit]
        Description=Steward agent (\(host))
        After=network-online.target
        Wants=network-online.target

        [Service]
        Type=simple
        \(userLine)ExecStart=\(binary) agent --config \(configPath)
        # The role processes run in sessions of their own but in this unit's
        # cgroup: stopping or restarting the agent must not stop them, so only
        # the agent's own process is signalled; a new agent re-attaches to them.
        KillMode=process
        Restart=always
        RestartSec=5
        LimitNOFILE=65536
        StateDirectory=steward
        StateDirectoryMode=0700

        [Install]
        WantedBy=multi-user.target

        """
    }

    public struct Refused: Error, CustomStringConvertible {
        public let description: String
    }

    /// An absolute host path as seen under `root`.
    public static func path(_ path: String, under root: String) -> String {
        root == "/" ? path : (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }

    /// Writes the files under `root` ("/" on the host itself; a directory for an
    /// image being built or a test). An existing file is kept unless `force`.
    public func write(root: String, force: Bool) throws -> [String] {
        var written: [String] = []
        for file in files {
            let target = AgentInstallation.path(file.path, under: root)
            if FileManager.default.fileExists(atPath: target) && !force {
                throw Refused(description: "\(target) exists; give --force to replace it")
            }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            // Written whole and renamed into place, with its final mode from the first byte.
            try SecretFile.write(Array(file.contents.utf8), to: target, mode: file.mode)
            written.append(target)
        }
        return written
    }
}
