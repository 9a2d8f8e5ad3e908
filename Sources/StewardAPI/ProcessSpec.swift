/// How an agent starts, stops and checks a role's process.
///
/// Every field added after the first version decodes with a default, so a
/// `process.json` written by an older agent still reads.
public struct ProcessSpec: Sendable, Codable, Hashable {
    /// argv; `{steward}`, `{conf_dir}`, `{instance_dir}` and `{<parameter>}` are substituted.
    public let start: [String]
    public let check: HealthCheck
    public let startTimeoutSeconds: Int
    /// SIGTERM, then SIGKILL to the process group after this many seconds.
    public let stopTimeoutSeconds: Int
    /// What the stack declares for the process's environment (values take the
    /// same placeholders as `start`); the agent adds only a minimal PATH, HOME
    /// and LANG and the instance's name, nothing of its own.
    public let environment: [String: String]
    /// Where the process (and its prepare steps) run, with placeholders; nil: the instance's directory.
    public let workingDirectory: String?
    /// Commands run in order before the instance's first start.
    public let prepare: [PrepareStep]
    /// Software the host must have: checked before prepare and start.
    public let requires: [Requirement]
    /// How often the agent checks a running instance's health; liveness is checked every second.
    public let checkIntervalSeconds: Int

    public static let defaultCheckIntervalSeconds = 5

    public init(start: [String], check: HealthCheck, startTimeoutSeconds: Int, stopTimeoutSeconds: Int,
                environment: [String: String] = [:], workingDirectory: String? = nil, prepare: [PrepareStep] = [],
                requires: [Requirement] = [], checkIntervalSeconds: Int = ProcessSpec.defaultCheckIntervalSeconds) {
        self.start = start
        self.check = check
        self.startTimeoutSeconds = startTimeoutSeconds
        self.stopTimeoutSeconds = stopTimeoutSeconds
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.prepare = prepare
        self.requires = requires
        self.checkIntervalSeconds = checkIntervalSeconds
    }

    enum CodingKeys: String, CodingKey {
        case start, check, startTimeoutSeconds, stopTimeoutSeconds, environment, workingDirectory, prepare, requires
        case checkIntervalSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(start: try c.decode([String].self, forKey: .start), check: try c.decode(HealthCheck.self, forKey: .check),
                  startTimeoutSeconds: try c.decode(Int.self, forKey: .startTimeoutSeconds),
                  stopTimeoutSeconds: try c.decode(Int.self, forKey: .stopTimeoutSeconds),
                  environment: try c.decodeIfPresent([String: String].self, forKey: .environment) ?? [:],
                  workingDirectory: try c.decodeIfPresent(String.self, forKey: .workingDirectory),
                  prepare: try c.decodeIfPresent([PrepareStep].self, forKey: .prepare) ?? [],
                  requires: try c.decodeIfPresent([Requirement].self, forKey: .requires) ?? [],
                  checkIntervalSeconds: try c.decodeIfPresent(Int.self, forKey: .checkIntervalSeconds)
                      ?? Self.defaultCheckIntervalSeconds)
    }
}

/// One command of a role's `prepare`: argv with placeholders, and how long it may take.
public struct PrepareStep: Sendable, Codable, Hashable {
    public let command: [String]
    public let timeoutSeconds: Int

    public init(command: [String], timeoutSeconds: Int = 60) {
        self.command = command
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Software a role needs on its host: a file (`path`) or a program in PATH
/// (`command`), and the package that provides it, for the error message.
public struct Requirement: Sendable, Codable, Hashable {
    public let path: String?
    public let command: String?
    public let package: String?

    public init(path: String? = nil, command: String? = nil, package: String? = nil) {
        self.path = path
        self.command = command
        self.package = package
    }
}

public enum HealthCheck: Sendable, Codable, Hashable {
    /// HTTP GET on the host's address at the port named by a parameter; healthy on 2xx.
    case http(portParameter: String, path: String, timeoutSeconds: Int = 2)
    /// A TCP connect to the host's address at the port named by a parameter;
    /// with `send`, that text is written, and with `expect`, the answer must
    /// contain one of those texts.
    case tcp(portParameter: String, send: String? = nil, expect: [String] = [], timeoutSeconds: Int = 2)
    /// A command (argv with placeholders) that exits 0 when healthy; its
    /// process group is killed after the timeout.
    case command(argv: [String], timeoutSeconds: Int = 5)
    /// Only that the process is alive.
    case process

    // The keyed shape of the first version ({"tcp": {"portParameter": "port"}}),
    // each later field optional, so that an older process.json still reads.
    enum Kind: String, CodingKey { case http, tcp, command, process }
    enum Field: String, CodingKey { case portParameter, path, send, expect, argv, timeoutSeconds }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Kind.self)
        guard let kind = c.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no health check type"))
        }
        if kind == .process {
            self = .process
            return
        }
        let f = try c.nestedContainer(keyedBy: Field.self, forKey: kind)
        let timeout = try f.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        switch kind {
        case .http:
            self = .http(portParameter: try f.decode(String.self, forKey: .portParameter),
                         path: try f.decode(String.self, forKey: .path), timeoutSeconds: timeout ?? 2)
        case .tcp:
            self = .tcp(portParameter: try f.decode(String.self, forKey: .portParameter),
                        send: try f.decodeIfPresent(String.self, forKey: .send),
                        expect: try f.decodeIfPresent([String].self, forKey: .expect) ?? [], timeoutSeconds: timeout ?? 2)
        case .command:
            self = .command(argv: try f.decode([String].self, forKey: .argv), timeoutSeconds: timeout ?? 5)
        case .process:
            self = .process
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Kind.self)
        switch self {
        case .process:
            _ = c.nestedContainer(keyedBy: Field.self, forKey: .process)
        case .http(let port, let path, let timeout):
            var f = c.nestedContainer(keyedBy: Field.self, forKey: .http)
            try f.encode(port, forKey: .portParameter)
            try f.encode(path, forKey: .path)
            try f.encode(timeout, forKey: .timeoutSeconds)
        case .tcp(let port, let send, let expect, let timeout):
            var f = c.nestedContainer(keyedBy: Field.self, forKey: .tcp)
            try f.encode(port, forKey: .portParameter)
            try f.encodeIfPresent(send, forKey: .send)
            try f.encode(expect, forKey: .expect)
            try f.encode(timeout, forKey: .timeoutSeconds)
        case .command(let argv, let timeout):
            var f = c.nestedContainer(keyedBy: Field.self, forKey: .command)
            try f.encode(argv, forKey: .argv)
            try f.encode(timeout, forKey: .timeoutSeconds)
        }
    }

    /// The longest a check may take: what a liveness loop must allow for.
    public var timeoutSeconds: Int {
        switch self {
        case .http(_, _, let t), .tcp(_, _, _, let t), .command(_, let t): t
        case .process: 0
        }
    }
}
