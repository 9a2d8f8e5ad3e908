import Foundation
import StewardAPI
import StewardEngine
import StewardStacks
import Testing

/// The process fields added for real software (working directory, prepare,
/// requires, checks, intervals) and `restart_on_failure`.
@Suite("StackLoader: process and restart_on_failure")
struct StackProcessTests {
    func stack(process: String, restart: String? = nil, params: String = #"{"name": "port", "type": "PORT", "default": "3000"}"#) -> Data {
        let restartField = restart.map { #", "restart_on_failure": \#($0)"# } ?? ""
        return Data("""
        {"name": "t", "version": "1", "cluster": {"id": 1, "name": "t", "hosts": ["a"]},
         "services": [{"name": "S", "roles": [{"name": "R", "hosts": ["a"], "process": \(process),
                       "configurations": [\(params)]\(restartField)}]}]}
        """.utf8)
    }

    func problems(_ data: Data) -> [String] {
        let error = #expect(throws: StackError.self) { try StackLoader.load(json: data) }
        return error?.problems ?? []
    }

    @Test func everyNewFieldLoads() throws {
        let process = """
        {"start": ["redis-server", "--port", "{port}"], "working_directory": "{instance_dir}/data",
         "environment": {"DATA": "{instance_dir}/data"},
         "prepare": [{"command": ["mkdir", "-p", "{instance_dir}/data"], "timeout_seconds": 5}, {"command": ["true"]}],
         "requires": [{"command": "redis-server", "package": "redis-server"}, {"path": "/usr/share/java/zookeeper.jar", "package": "zookeeper"}],
         "check": {"type": "tcp", "port_parameter": "port", "send": "srvr\\n", "expect": ["Mode: leader", "Mode: follower"], "timeout_seconds": 3},
         "check_interval_seconds": 2}
        """
        let loaded = try StackLoader.load(json: stack(process: process, restart: #"{"initial_backoff_seconds": 2, "max_restarts": 3}"#))
        let (_, role) = try #require(loaded.role("R"))
        let spec = role.process
        #expect(spec.workingDirectory == "{instance_dir}/data")
        #expect(spec.environment == ["DATA": "{instance_dir}/data"])
        #expect(spec.prepare == [PrepareStep(command: ["mkdir", "-p", "{instance_dir}/data"], timeoutSeconds: 5),
                                 PrepareStep(command: ["true"], timeoutSeconds: 60)])
        #expect(spec.requires == [Requirement(command: "redis-server", package: "redis-server"),
                                  Requirement(path: "/usr/share/java/zookeeper.jar", package: "zookeeper")])
        #expect(spec.check == .tcp(portParameter: "port", send: "srvr\n", expect: ["Mode: leader", "Mode: follower"], timeoutSeconds: 3))
        #expect(spec.checkIntervalSeconds == 2)
        // Unset policy fields take their documented defaults.
        #expect(role.restartOnFailure == RestartPolicy(initialBackoffSeconds: 2, maxBackoffSeconds: 60, maxRestarts: 3, resetAfterSeconds: 300))
    }

    @Test func defaultsWhenLeftOut() throws {
        let loaded = try StackLoader.load(json: stack(process: #"{"start": ["run"], "check": {"type": "command", "command": ["test", "-e", "x"]}}"#))
        let (_, role) = try #require(loaded.role("R"))
        #expect(role.process.workingDirectory == nil)
        #expect(role.process.prepare.isEmpty && role.process.requires.isEmpty)
        #expect(role.process.checkIntervalSeconds == 5)
        #expect(role.process.check == .command(argv: ["test", "-e", "x"], timeoutSeconds: 5))
        #expect(role.restartOnFailure == nil)
        // The http check keeps its shape, with its default timeout.
        let http = try StackLoader.load(json: stack(process: #"{"start": ["run"], "check": {"type": "http", "path": "/health"}}"#))
        #expect(http.role("R")?.1.process.check == .http(portParameter: "port", path: "/health", timeoutSeconds: 2))
    }

    @Test(arguments: [
        (#"{"start": ["run"], "working_directory": "data"}"#, "working_directory 'data' must be an absolute path"),
        (#"{"start": ["run"], "prepare": [{"command": []}]}"#, "prepare step 1 has an empty command"),
        (#"{"start": ["run"], "prepare": [{"command": ["x"], "timeout_seconds": 0}]}"#, "prepare step 1 timeout_seconds must be 1-3600"),
        (#"{"start": ["run"], "requires": [{"package": "p"}]}"#, "requires[1] must name exactly one of path or command"),
        (#"{"start": ["run"], "requires": [{"path": "/a", "command": "b"}]}"#, "requires[1] must name exactly one of path or command"),
        (#"{"start": ["run"], "requires": [{"path": "usr/bin/x"}]}"#, "requires[1] path 'usr/bin/x' must be absolute"),
        (#"{"start": ["run"], "requires": [{"command": "/usr/bin/x"}]}"#, "requires[1] command '/usr/bin/x' must be a program name"),
        (#"{"start": ["run"], "check_interval_seconds": 0}"#, "check_interval_seconds must be 1-3600"),
        (#"{"start": ["run"], "check": {"type": "command"}}"#, "a command check needs a non-empty 'command'"),
        (#"{"start": ["run"], "check": {"type": "tcp", "timeout_seconds": 0}}"#, "check timeout_seconds must be 1-300"),
        (#"{"start": ["run"], "check": {"type": "tcp", "expect": [""]}}"#, "check expect texts must not be empty"),
        (#"{"start": ["run"], "check": {"type": "tcp", "send": ""}}"#, "check send must not be empty"),
        (#"{"start": [""]}"#, "process.start is empty"),
    ])
    func badProcessValuesAreNamed(process: String, fragment: String) {
        let found = problems(stack(process: process))
        #expect(found.contains { $0.contains("role R: " + fragment) || $0.contains(fragment) }, "no problem names '\(fragment)': \(found)")
    }

    @Test(arguments: [
        (#"{"max_restarts": 0}"#, "restart_on_failure.max_restarts must be 1-1000"),
        (#"{"initial_backoff_seconds": 10, "max_backoff_seconds": 5}"#, "max_backoff_seconds must not be less than initial_backoff_seconds"),
        (#"{"reset_after_seconds": 0}"#, "reset_after_seconds must be 1-604800"),
        (#"{"initial_backoff_seconds": -1}"#, "initial_backoff_seconds must be 0-3600"),
    ])
    func badRestartPoliciesAreNamed(policy: String, fragment: String) {
        let found = problems(stack(process: #"{"start": ["run"]}"#, restart: policy))
        #expect(found.contains { $0.contains("role R: " + fragment) || $0.contains(fragment) }, "no problem names '\(fragment)': \(found)")
    }

    @Test func aProcessJSONOfAnEarlierAgentStillReads() throws {
        let old = #"{"start": ["x"], "check": {"tcp": {"portParameter": "port"}}, "startTimeoutSeconds": 30, "stopTimeoutSeconds": 10}"#
        let spec = try JSONDecoder().decode(ProcessSpec.self, from: Data(old.utf8))
        #expect(spec.check == .tcp(portParameter: "port", send: nil, expect: [], timeoutSeconds: 2))
        #expect(spec.environment.isEmpty && spec.prepare.isEmpty && spec.requires.isEmpty && spec.workingDirectory == nil)
        #expect(spec.checkIntervalSeconds == 5)
        for check in [HealthCheck.process, .http(portParameter: "p", path: "/h", timeoutSeconds: 3),
                      .tcp(portParameter: "p", send: "ruok", expect: ["imok"], timeoutSeconds: 4), .command(argv: ["true"], timeoutSeconds: 6)] {
            #expect(try JSONDecoder().decode(HealthCheck.self, from: JSONEncoder().encode(check)) == check)
        }
    }
}
