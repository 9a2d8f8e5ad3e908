import Foundation

/// The agent's settings as a file (`steward agent --config FILE`), so that a
/// service manager starts it with one stable command line and an operator
/// edits one file. Options given on the command line win over the file.
///
///     {"manager": "https://mgr.example:9443", "host": "host-4", "address": "10.0.0.14",
///      "data_dir": "/var/lib/steward/agent", "token_file": "/etc/steward/agent.token",
///      "ca_file": "/etc/steward/ca.pem", "log_level": "info"}
///
/// `manager` names several managers as one comma-separated string, as
/// `--manager` does, or as a JSON list of URLs.
///
/// It holds no secret itself: the join token stays in its own 0600 file.
public struct AgentConfigFile: Codable, Sendable, Equatable {
    /// One URL, or several separated by commas (a JSON list is read as that).
    public var manager: String?
    public var host: String?
    public var address: String?
    public var dataDir: String?
    public var tokenFile: String?
    public var caFile: String?
    public var logLevel: String?
    public var stopInstancesOnExit: Bool?

    enum CodingKeys: String, CodingKey {
        case manager, host, address
        case dataDir = "data_dir"
        case tokenFile = "token_file"
        case caFile = "ca_file"
        case logLevel = "log_level"
        case stopInstancesOnExit = "stop_instances_on_exit"
    }

    public init(manager: String? = nil, host: String? = nil, address: String? = nil, dataDir: String? = nil,
                tokenFile: String? = nil, caFile: String? = nil, logLevel: String? = nil, stopInstancesOnExit: Bool? = nil) {
        self.manager = manager
        self.host = host
        self.address = address
        self.dataDir = dataDir
        self.tokenFile = tokenFile
        self.caFile = caFile
        self.logLevel = logLevel
        self.stopInstancesOnExit = stopInstancesOnExit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let list = try? c.decodeIfPresent([String].self, forKey: .manager) {
            manager = list.joined(separator: ",")
        } else {
            manager = try c.decodeIfPresent(String.self, forKey: .manager)
        }
        host = try c.decodeIfPresent(String.self, forKey: .host)
        address = try c.decodeIfPresent(String.self, forKey: .address)
        dataDir = try c.decodeIfPresent(String.self, forKey: .dataDir)
        tokenFile = try c.decodeIfPresent(String.self, forKey: .tokenFile)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        logLevel = try c.decodeIfPresent(String.self, forKey: .logLevel)
        stopInstancesOnExit = try c.decodeIfPresent(Bool.self, forKey: .stopInstancesOnExit)
    }

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the file; an unknown key is refused rather than ignored, so that a
    /// misspelt setting is not silently left at its default.
    public static func load(_ path: String) throws -> AgentConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Invalid(description: "cannot read the agent config file \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Invalid(description: "\(path) is not a JSON object")
        }
        let known = Set(["manager", "host", "address", "data_dir", "token_file", "ca_file", "log_level", "stop_instances_on_exit"])
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw Invalid(description: "\(path): unknown setting '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        do {
            return try JSONDecoder().decode(AgentConfigFile.self, from: data)
        } catch {
            throw Invalid(description: "\(path): a setting has the wrong type: \(error)")
        }
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data("{}".utf8)) + Data("\n".utf8)
    }
}
